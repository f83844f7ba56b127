// The start-up baseline: a compiled Bun hello-world that prints a version, built like the kcl-ts binary.
console.log("0.0.0");
