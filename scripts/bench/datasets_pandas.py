# Benchmark reference: pandas parsing the same file (read_csv, or read_excel with openpyxl) in a fresh process.
# Prints {rows, seconds, cpuSeconds, maxRssMB} as JSON. Needs Debian's python3-pandas and python3-openpyxl.
import json, resource, sys, time

import pandas as pd

path, header = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0
t = time.perf_counter()
c = resource.getrusage(resource.RUSAGE_SELF)
if path.endswith('.xlsx'):
    df = pd.read_excel(path, header=header, engine='openpyxl')
else:
    df = pd.read_csv(path, header=header)
seconds = time.perf_counter() - t
c2 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (c2.ru_utime - c.ru_utime) + (c2.ru_stime - c.ru_stime)
print(json.dumps({'rows': len(df), 'seconds': seconds, 'cpuSeconds': cpu, 'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
