using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point (BenchmarkDotNet switcher: pass --filter, --job …).</summary>
public partial class Program;
