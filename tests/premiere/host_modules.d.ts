// The modules the panel's entry point (panel/index.js) requires from its host, for tsc: Premiere's
// `premierepro` (Adobe's published typings) and the parts of UXP's `uxp` storage API it calls
// (localFileSystem.getFolder / getPluginFolder, Folder.getEntry, File.read, Entry.nativePath).
declare module "premierepro" {
  const premierepro: import("@adobe/premierepro").premierepro;
  export = premierepro;
}

declare module "uxp" {
  interface Entry {
    readonly nativePath: string;
  }
  interface File extends Entry {
    read(options?: { format?: unknown }): Promise<string>;
  }
  interface Folder extends Entry {
    getEntry(path: string): Promise<File>;
  }
  export const storage: {
    localFileSystem: {
      getFolder(options?: object): Promise<Folder | null>;
      getPluginFolder(): Promise<Folder>;
    };
  };
}
