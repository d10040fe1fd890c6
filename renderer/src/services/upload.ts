// Hands a file the person dropped or picked to main and gets back the path main can read: in the desktop app the
// file's own path (the preload's webUtils.getPathForFile, no copy); in a browser, an upload to web mode's route.
import { lathe } from '../bridge/lathe-client.js';

export interface UploadedFile {
  readonly path: string;
  readonly bytes: number;
}

/** The file's path where main can read it; uploads (progress 0..1, cancellable) when there is no local path. */
export function uploadFile(file: File, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedFile> {
  const local = lathe.pathForFile(file);
  if (local) return Promise.resolve({ path: local, bytes: file.size });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    // Streams the file to `POST /api/upload?name=…`; the token cookie authorises it.
    xhr.open('POST', `api/upload?name=${encodeURIComponent(file.name)}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status !== 200) return reject(new Error(`The file could not be uploaded (HTTP ${xhr.status}).`));
      try {
        resolve(JSON.parse(xhr.responseText) as UploadedFile);
      } catch {
        reject(new Error('The upload answer could not be read.'));
      }
    };
    xhr.onerror = () => reject(new Error('The file could not be uploaded: the connection failed.'));
    xhr.onabort = () => reject(Object.assign(new Error('Upload cancelled.'), { cancelled: true }));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
