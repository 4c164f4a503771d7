using Mirc.Bench.Cli;
using Mirc.Bench.Data;
using Mirc.Bench.Indexing;
using Mirc.Bench.Measurement;
using Mirc.Bench.Memory;
using Mirc.Bench.Reporting;
using Mirc.Bench.Research;
using Mirc.Bench.Run;
using Mirc.Bench.Scaling;
using Mirc.Bench.Storage;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    if (args is ["--help"] or ["-h"])
    {
        Console.WriteLine(BenchOptionsParser.Usage);
        return 0;
    }

    if (args is ["blobs", ..])
    {
        return await BlobsCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["grain-state", ..])
    {
        return await GrainStateCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["index", ..])
    {
        return await IndexCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["index-regional", ..])
    {
        return await RegionalIndexCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["memory", ..])
    {
        return await MemoryCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["retrieve-scaling", ..])
    {
        return await ScalingCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["replication", ..])
    {
        return await ReplicationCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["research-export", ..])
    {
        return await ResearchExportCommand.RunAsync(args[1..], cancel.Token);
    }

    if (args is ["compare", ..])
    {
        return await CompareCommand.RunAsync(args[1..], cancel.Token);
    }

    var options = BenchOptionsParser.Parse(args is ["run", ..] ? args[1..] : args);
    var started = DateTimeOffset.UtcNow;
    var loadBefore = LoadAverage.OneMinute();
    ServerCpu.Pid = options.ServerPid;
    Console.Error.WriteLine($"Mirc.Bench: preparing data…");
    var data = options.InputFolder is null
        ? BenchData.Synthesize(options)
        : BenchData.FromStudies(await FolderStudyReader.ReadAsync(options.InputFolder, cancel.Token), options.InputFolder);
    Console.Error.WriteLine($"data: {data.Description}");

    var results = await new BenchScenario(options, data).RunAsync(cancel.Token);
    var report = new BenchReport(
        options.Label,
        started,
        MachineDescription.Describe(loadBefore),
        $"DIMSE {(options.Dimse ? $"{options.CalledAe}@{options.DicomHost}:{options.DicomPort}" : "off")}, DICOMweb {(options.DicomWeb ? options.DicomWebUrl!.ToString() : "off")}",
        data.Description,
        results);
    Console.WriteLine(MarkdownTable.Single(report));
    if (options.OutFolder is not null)
    {
        var (json, markdown) = await ReportFiles.WriteAsync(report, options.OutFolder, cancel.Token);
        Console.Error.WriteLine($"wrote {json} and {markdown}");
    }

    return results.Any(r => r.Failures > 0) ? 2 : 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("try --help");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
