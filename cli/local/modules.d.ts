// The emulators ship no types: each exports a factory returning a node:http Server.
declare module "kinesalite" {
  const kinesalite: (options?: Record<string, unknown>) => import("node:http").Server;
  export default kinesalite;
}
declare module "dynalite" {
  const dynalite: (options?: Record<string, unknown>) => import("node:http").Server;
  export default dynalite;
}
