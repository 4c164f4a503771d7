using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.DicomCli;

if (args.Length == 0 || args[0] is "--help" or "-?" or "help" || args.Contains("--help"))
{
    Console.WriteLine(CliArguments.Usage);
    return args.Length == 0 ? 2 : 0;
}

CliArguments cli;
try
{
    cli = CliArguments.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(CliArguments.Usage);
    return 2;
}

// serve runs until Ctrl+C; the SCU verbs are bounded by -t.
using var timeout = cli.Verb == "serve" ? new CancellationTokenSource() : new CancellationTokenSource(TimeSpan.FromSeconds(cli.TimeoutSeconds));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; timeout.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    timeout.Cancel();
});
try
{
    return cli.Verb switch
    {
        "echo" => await ScuCommands.EchoAsync(cli, timeout.Token),
        "store" => await ScuCommands.StoreAsync(cli, timeout.Token),
        "find" => await ScuCommands.FindAsync(cli, timeout.Token),
        "move" => await ScuCommands.MoveAsync(cli, timeout.Token),
        "get" => await ScuCommands.GetAsync(cli, timeout.Token),
        "serve" => await StorageScp.RunAsync(cli, timeout.Token),
        "bench-store" => await BenchCommands.StoreAsync(cli, timeout.Token),
        "bench-get" => await BenchCommands.GetAsync(cli, timeout.Token),
        "storage-classes" => StorageClassTable.Print(),
        "bench-loopback" => await LoopbackBench.RunAsync(cli, timeout.Token),
        _ => Fail($"unknown command {cli.Verb}\n{CliArguments.Usage}"),
    };
}
catch (DicomAssociationException ex)
{
    return Fail(AssociationHint.Explain(ex, cli));
}
catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or DicomProtocolException or OperationCanceledException
    or InvalidOperationException or DimseServiceException or InvalidDataException or ArgumentException or DicomFormatException)
{
    return Fail($"{ex.GetType().Name}: {ex.Message}");
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 1;
}
