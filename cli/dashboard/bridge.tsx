// Hands Ink's own stdout/stderr writers (which print above the frame and redraw it) to startDashboard.
import { useStderr, useStdout } from "ink";
import { useEffect } from "react";

export function StdioBridge({
  onReady,
}: {
  onReady: (out: (s: string) => void, err: (s: string) => void) => void;
}) {
  const { write } = useStdout();
  const { write: writeErr } = useStderr();
  useEffect(() => {
    onReady(write, writeErr);
  }, [onReady, write, writeErr]);
  return null;
}
