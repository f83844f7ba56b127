// Single-key commands for the demo on a terminal (raw mode); returns a function restoring the terminal.

export type KeyStdin = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

export function listenForKeys(stdin: KeyStdin, onKey: (key: string) => void): () => void {
  stdin.setRawMode?.(true);
  const listener = (data: Buffer | string) => onKey(data.toString());
  stdin.on("data", listener);
  stdin.resume();
  return () => {
    stdin.off("data", listener);
    stdin.setRawMode?.(false);
    stdin.pause();
  };
}
