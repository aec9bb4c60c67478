using BenchmarkDotNet.Running;

// Each benchmark works on a database file of its own in the temporary directory, deleted at the end.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
