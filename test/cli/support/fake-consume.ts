// Stands in for `kcl-ts consume --output json` in the demo's unit test: prints JSON events like a
// worker does, and stops gracefully on SIGTERM.
const args = process.argv.slice(2);
const workerId = args[args.indexOf("--worker-id") + 1] ?? "fake";
const emit = (body: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...body, workerId, at: Date.now() })}\n`);

emit({ type: "worker-started", app: "kcl-demo", stream: "kcl-demo", table: "kcl-demo" });
emit({ type: "lease-acquired", leaseKey: "shardId-000000000000", leaseCounter: 1, how: "unowned" });
process.stdout.write("plugin output that is not an event\n");
const timer = setInterval(() => emit({ type: "records-summary", records: 5 }), 200);
process.on("SIGTERM", () => {
  clearInterval(timer);
  emit({ type: "worker-stopping", reason: "SIGTERM" });
  emit({ type: "worker-stopped", clean: true });
  process.exit(0);
});
