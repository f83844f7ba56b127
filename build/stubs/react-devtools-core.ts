// Build-time stand-in for Ink's optional `react-devtools-core`: the binary never connects to React
// DevTools, and leaving the import external makes every command of the binary fail at start.
const devtools = {
  initialize(): void {},
  connectToDevTools(): void {},
};

export default devtools;
