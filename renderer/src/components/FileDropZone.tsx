// Whole-window file drop (`useWindowDrop`: true while a file is dragged over the window; the drop hands the File
// over), and the import page's drop zone with a "choose file" button for people who prefer a dialog or a keyboard.
import { useEffect, useRef, useState } from 'react';

export function useWindowDrop(onFile: (file: File) => void, enabled = true): boolean {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const handler = useRef(onFile);
  handler.current = onFile;
  useEffect(() => {
    if (!enabled) return;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (file) handler.current(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overFn);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [enabled]);
  return over;
}

export interface FileDropZoneProps {
  readonly title: string;
  readonly hint: string;
  readonly chooseLabel: string;
  readonly accept?: string;
  readonly onFile: (file: File) => void;
}

/** The drop target's visual and its file picker; the drop itself is caught window-wide (App uses useWindowDrop). */
export function FileDropZone({ title, hint, chooseLabel, accept, onFile }: FileDropZoneProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="drop-zone" data-testid="drop-zone">
      <div className="drop-icon" aria-hidden="true">
        ⇪
      </div>
      <h2>{title}</h2>
      <p className="muted">{hint}</p>
      <button type="button" onClick={() => input.current?.click()}>
        {chooseLabel}
      </button>
      <input
        ref={input}
        type="file"
        accept={accept}
        className="visually-hidden"
        aria-label={chooseLabel}
        data-testid="file-input"
        tabIndex={-1}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
    </div>
  );
}
