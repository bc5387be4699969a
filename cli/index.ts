// Public surface of the CLI: oclif discovers the commands in cli/commands/ (one command per file); other parts
// import nothing from here. Tests reach internals through cli/internal.ts.
export {};
