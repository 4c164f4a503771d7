using System.Diagnostics;
using Mirc.Dicom;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// dcmtk's tools keep Nagle's algorithm on unless <c>TCP_NODELAY=1</c> is in their environment, and so do the scripts
/// and products built on them: each C-STORE's data set PDU then waits until its command PDU is acknowledged. A receiver
/// that delays its ACK (Linux: at least 40 ms) holds every instance that long — 50 stores took 2.3 s instead of 0.1 s,
/// against Orthanc too. The archive acknowledges what it reads at once.
/// </summary>
public sealed class NagleSenderTests(DimseHostFixture archive) : IClassFixture<DimseHostFixture>, IDisposable
{
    private const int Instances = 40;
    private readonly TempDataFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task A_sender_with_Nagle_on_is_not_held_by_delayed_acknowledgements()
    {
        var study = new SyntheticStudy("PAT-NAGLE", "NAGLE^Anne", seriesCount: 1, instancesPerSeries: Instances);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        string[] arguments = ["-v", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files];
        await Dcmtk.RunOkAsync("storescu", arguments); // stored once: the timed sends below are idempotent re-sends

        var withoutNagle = Stopwatch.StartNew();
        var quick = await Dcmtk.RunOkAsync("storescu", arguments);
        withoutNagle.Stop();
        var withNagle = Stopwatch.StartNew();
        var held = await Dcmtk.RunWithNagleOkAsync("storescu", arguments);
        withNagle.Stop();

        Assert.Equal(Instances, CountSuccesses(quick.Combined));
        Assert.Equal(Instances, CountSuccesses(held.Combined));
        // Held by delayed ACKs, the Nagle sender would take at least 40 × 40 ms = 1.6 s longer.
        Assert.True(withNagle.Elapsed - withoutNagle.Elapsed < TimeSpan.FromMilliseconds(800),
            $"{Instances} C-STOREs: {withNagle.ElapsedMilliseconds} ms with Nagle on, {withoutNagle.ElapsedMilliseconds} ms with it off");
    }

    private static int CountSuccesses(string output) =>
        output.Split('\n').Count(line => line.Contains("Received Store Response (Success)", StringComparison.Ordinal));
}
