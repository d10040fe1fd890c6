// Hands a file the person dropped or picked to main and gets back the path main can read. Both modes use web mode's
// upload route for now: the preload does not yet expose Electron's webUtils.getPathForFile (which would avoid the copy).
export interface UploadedFile {
  readonly path: string;
  readonly bytes: number;
}

/** Streams the file to `POST /api/upload?name=…` (the token cookie authorises it); progress 0..1 while it goes. */
export function uploadFile(file: File, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
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
