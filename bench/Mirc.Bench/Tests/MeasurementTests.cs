using Mirc.Bench.Measurement;
using Mirc.Bench.Reporting;
using Mirc.Bench.Run;
using Xunit;

namespace Mirc.Bench.Tests;

public sealed class MeasurementTests
{
    [Fact]
    public void Nearest_rank_percentiles()
    {
        double[] sorted = [.. Enumerable.Range(1, 100).Select(i => (double)i)];

        Assert.Equal(50, Percentile.NearestRank(sorted, 50));
        Assert.Equal(95, Percentile.NearestRank(sorted, 95));
        Assert.Equal(99, Percentile.NearestRank(sorted, 99));
        Assert.Equal(7, Percentile.NearestRank([7.0], 99));
        Assert.Equal(0, Percentile.NearestRank([], 50));
    }

    [Fact]
    public async Task Recorder_sums_successes_and_keeps_the_first_error()
    {
        var recorder = new OperationRecorder("op", "test", 3);
        await recorder.MeasureAsync(() => Task.FromResult((2L, 1000L)), TestContext.Current.CancellationToken);
        await recorder.MeasureAsync(() => Task.FromResult((1L, 500L)), TestContext.Current.CancellationToken);
        await recorder.MeasureAsync(() => Task.FromException<(long, long)>(new InvalidOperationException("boom")), TestContext.Current.CancellationToken);

        var result = recorder.Complete();

        Assert.Equal(2, result.Requests);
        Assert.Equal(1, result.Failures);
        Assert.Equal(3, result.Images);
        Assert.Equal(1500, result.Bytes);
        Assert.Contains("boom", result.Error, StringComparison.Ordinal);
        Assert.True(result.ImagesPerSecond > 0);
    }

    private static OperationResult Result(string name, long images, int requests, double seconds) =>
        new(name, name, requests, 0, images, images * 1000, seconds, 1, 2, 3, null);

    [Fact]
    public void Comparison_divides_our_headline_rate_by_theirs()
    {
        var ours = new BenchReport("mirc", DateTimeOffset.UnixEpoch, "m", "t", "d", [Result("store", 300, 300, 0.25), Result("qido", 0, 30, 0.1)]);
        var theirs = new BenchReport("orthanc", DateTimeOffset.UnixEpoch, "m", "t", "d", [Result("store", 300, 300, 1.0), Result("qido", 0, 30, 0.3)]);

        var table = MarkdownTable.Compare(ours, theirs);

        Assert.Contains("| store | images/s | 1200.0 | 300.0 | 4.00× |", table, StringComparison.Ordinal);
        Assert.Contains("| qido | req/s | 300.0 | 100.0 | 3.00× |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_apply_to_the_headline_operations_only()
    {
        Assert.Equal("≥ 1100 ✔", Targets.Verdict(Result("dimse.c-store.k4", 300, 300, 0.25)));
        Assert.Equal("≥ 4000 ✘", Targets.Verdict(Result("dicomweb.wado.study", 900, 3, 1.0)));
        Assert.Equal("", Targets.Verdict(Result("dimse.c-store.scaling.k4", 300, 300, 0.25)));
    }

    [Fact]
    public void The_first_read_of_a_study_is_a_row_of_its_own_without_the_repeated_reads_target()
    {
        var web = BenchScenario.FirstRead(Result("dicomweb.wado.study", 300, 1, 1.0));
        var dimse = BenchScenario.FirstRead(Result("dimse.c-get.study", 300, 1, 1.0));

        Assert.Equal("dicomweb.wado.first.study", web.Name);
        Assert.Equal("dimse.c-get.first.study", dimse.Name);
        Assert.Equal(300, web.Images);
        Assert.Equal("", Targets.Verdict(web));
        Assert.Equal("", Targets.Verdict(dimse));
    }

    [Fact]
    public async Task Json_report_round_trips()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mirc-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = new BenchReport("mirc", DateTimeOffset.UnixEpoch, "m", "t", "d", [Result("store", 300, 300, 0.25)]);
            var (json, markdown) = await ReportFiles.WriteAsync(report, folder, TestContext.Current.CancellationToken);

            var read = await ReportFiles.ReadAsync(json, TestContext.Current.CancellationToken);

            Assert.Equal(report.Results[0], read.Results[0]);
            Assert.Contains("imagesPerSecond", await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Contains("| store |", await File.ReadAllTextAsync(markdown, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
