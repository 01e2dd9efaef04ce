// A configuration or start-up problem the operator must fix: the entry point prints its message
// (one line per problem) and exits non-zero, without a stack trace.
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}
