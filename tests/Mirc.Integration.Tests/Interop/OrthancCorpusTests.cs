using System.Text;
using System.Text.Json.Nodes;
using Mirc.Dicom;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Interop;

/// <summary>
/// Issue 15, "each peer with the corpus": Orthanc (Debian) receives every file of <see cref="DebianDicomCorpus"/> that
/// dcmdump reads, then sends all it accepted to the archive — over DIMSE C-STORE in one class, through its DICOMweb
/// plugin's STOW-RS in the other (each class has its own archive: the two transports encode the same data set
/// differently, and a second, different encoding under a stored UID is a duplicate conflict by design). Every instance
/// Orthanc holds must come back from the archive: the same attributes over DIMSE (the sender re-encodes the data set),
/// byte for byte over STOW-RS.
/// </summary>
public static class OrthancCorpus
{
    /// <summary>The transport name of the STOW-RS class.</summary>
    public const string StowRs = "STOW-RS";

    /// <summary>Uploads the corpus to <paramref name="orthanc"/>; returns its distinct instance ids and the files it refused.</summary>
    public static async Task<(IReadOnlyList<string> Instances, IReadOnlyList<string> RefusedByOrthanc)> UploadAsync(OrthancPeer orthanc, CancellationToken ct)
    {
        var files = DebianDicomCorpus.ReadableByDcmdump.ToList();
        Assert.True(files.Count >= 100, $"only {files.Count} corpus files: python3-pydicom missing? (./test.sh installs it)");
        var instances = new HashSet<string>(StringComparer.Ordinal);
        var refused = new List<string>();
        foreach (var file in files)
        {
            // Files with the same patient, study, series and SOP UIDs get one Orthanc id (the first kept): ids hash the UIDs.
            var response = await orthanc.Rest.PostAsync("/instances", new ByteArrayContent(await File.ReadAllBytesAsync(file.Path, ct)), ct);
            if (!response.IsSuccessStatusCode)
            {
                refused.Add($"{file.Name}: {(int)response.StatusCode}");
                continue;
            }

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            instances.Add(body["ID"]!.GetValue<string>());
        }

        // Orthanc's ids hash patient, study, series and SOP UIDs: files sharing a SOP Instance UID under other studies (pydicom
        // keeps one object in many encodings) are distinct there, but one instance for the archive, where a second,
        // different data set under a stored UID is a duplicate conflict by design. The first of each UID is sent.
        var bySop = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instance in instances.Order(StringComparer.Ordinal))
        {
            var sop = (await orthanc.UidsAsync(instance, ct)).Sop;
            if (!bySop.TryAdd(sop, instance)) refused.Add($"Orthanc {instance}: shares SOP Instance UID {sop} with Orthanc {bySop[sop]}, not sent");
        }

        Assert.True(bySop.Count >= 80, $"Orthanc accepted only {bySop.Count} distinct corpus instances; not sent: {string.Join(", ", refused)}");
        return ([.. bySop.Values.Order(StringComparer.Ordinal)], refused);
    }

    /// <summary>
    /// Checks every instance against the archive with <paramref name="difference"/> (null when the same); fails with one
    /// line per instance that differs. Returns how many were refused as expected.
    /// </summary>
    public static async Task<int> AssertArchiveHoldsAsync(ArchiveWithOrthanc peers, IReadOnlyList<string> instances, IReadOnlyList<string> refusedByOrthanc,
        string transport, Func<byte[], byte[], string?> difference, CancellationToken ct)
    {
        var failures = new List<string>();
        var report = new StringBuilder();
        var refusedAsExpected = 0;
        foreach (var instance in instances)
        {
            var uids = await peers.Orthanc.UidsAsync(instance, ct);
            var sent = await peers.Orthanc.FileAsync(instance, ct);
            var (stored, status) = await peers.TryRetrieveAsync(uids.Study, uids.Series, uids.Sop, ct);
            var outcome = stored is null ? $"not stored (WADO-RS {(int)status})" : difference(sent, stored) is { } differs ? "stored, but different: " + differs : "stored";
            // STOW-RS parts are Part 10 files (PS3.18 §8.6.1.1.1): a bare data set Orthanc kept as uploaded is refused,
            // with "No File Meta Information" as the reason (the STOW corpus test checks those words).
            var expected = transport == StowRs && DicomFileReader.Read(sent, DicomReadOptions.HeaderOnly).HadNoFileMeta ? "not stored (WADO-RS 404)" : "stored";
            report.AppendLine($"{uids.Sop}: {outcome}");
            if (expected != "stored" && outcome == expected) refusedAsExpected++;
            if (outcome != expected) failures.Add($"{uids.Sop} (Orthanc {instance}): {outcome}, expected {expected}");
        }

        TestContext.Current.SendDiagnosticMessage($"corpus through Orthanc's {transport}: {instances.Count} instances sent, {failures.Count} failed; {refusedByOrthanc.Count} files not sent (refused by Orthanc, or sharing a SOP Instance UID)\n{report}");
        Assert.True(failures.Count == 0, $"through Orthanc's {transport}:\n" + string.Join('\n', failures));
        return refusedAsExpected;
    }
}

/// <summary>The corpus pushed by Orthanc's C-STORE SCU: every instance stored with the same attributes.</summary>
public sealed class OrthancDimseCorpusTests(ArchiveWithOrthanc peers) : IClassFixture<ArchiveWithOrthanc>
{
    [Fact]
    public async Task Orthanc_pushes_the_whole_corpus_over_DIMSE_and_the_archive_stores_every_instance()
    {
        var ct = TestContext.Current.CancellationToken;
        var (instances, refused) = await OrthancCorpus.UploadAsync(peers.Orthanc, ct);
        // Permissive: the job goes on after a refused instance, so the check below names every one.
        var store = await peers.Orthanc.PostAsync("/modalities/mirc/store", new JsonObject
        {
            ["Resources"] = OrthancPeer.Array(instances),
            ["Synchronous"] = true,
            ["Permissive"] = true,
        }, ct);
        await OrthancCorpus.AssertArchiveHoldsAsync(peers, instances, refused, "C-STORE", DataSetAttributes.ValueDifference, ct);
        Assert.Equal(0, store["FailedInstancesCount"]!.GetValue<int>());
    }
}

/// <summary>The corpus sent by Orthanc's DICOMweb plugin (STOW-RS): every instance stored byte for byte.</summary>
public sealed class OrthancDicomWebCorpusTests(ArchiveWithOrthanc peers) : IClassFixture<ArchiveWithOrthanc>
{
    [Fact]
    public async Task Orthanc_stows_the_whole_corpus_and_the_archive_returns_every_instance_byte_exact()
    {
        var ct = TestContext.Current.CancellationToken;
        var (instances, refused) = await OrthancCorpus.UploadAsync(peers.Orthanc, ct);
        string? stowError = null;
        try
        {
            await peers.Orthanc.PostAsync("/dicom-web/servers/mirc/stow", new JsonObject { ["Resources"] = OrthancPeer.Array(instances) }, ct);
        }
        catch (HttpRequestException e)
        {
            stowError = e.Message;
        }
        var refusedAsExpected = await OrthancCorpus.AssertArchiveHoldsAsync(peers, instances, refused, OrthancCorpus.StowRs, (sent, stored) => sent.AsSpan().SequenceEqual(stored) ? null : $"{sent.Length} bytes sent, {stored.Length} stored, {sent.AsSpan().CommonPrefixLength(stored)} alike", ct);
        // Orthanc's plugin fails its whole STOW job when a part is refused: only the expected refusals may cause that.
        if (refusedAsExpected == 0) Assert.Null(stowError);
        else Assert.Contains($"only able to receive {instances.Count - refusedAsExpected} instances out of {instances.Count}", stowError, StringComparison.Ordinal);
    }
}
