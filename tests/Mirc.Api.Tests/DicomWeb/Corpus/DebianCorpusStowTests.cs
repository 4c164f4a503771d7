using System.Net;
using System.Text;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Dicom;
using Mirc.Testing;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.Corpus;

/// <summary>
/// Issue 15's corpus: every file of <see cref="DebianDicomCorpus"/> that dcmdump reads without error is stored through
/// STOW-RS (the real ingest path) and comes back byte-exact from WADO-RS, or is refused with a reason naming its defect.
/// Files sharing a SOP Instance UID (pydicom keeps one object in many encodings) would be judged as duplicates of their
/// first sibling: the later siblings get a same-length SOP Instance UID (last digit changed in place, every other byte
/// untouched), so each encoding is judged on its own.
/// </summary>
public sealed class DebianCorpusStowTests
{
    private const string AnyDicom = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    private const string NoSopClass = "SOP Class UID (0008,0016)";

    /// <summary>The files the archive refuses, each with the words its reason must contain (the defect it names).</summary>
    private static readonly Dictionary<string, string> ExpectedRejections = new(StringComparer.Ordinal)
    {
        // Not composite instances: no SOP Class UID (DICOMDIRs, pydicom's fragments of data sets).
        ["pydicom/charset_files/chrSQEncoding.dcm"] = NoSopClass,
        ["pydicom/charset_files/chrSQEncoding1.dcm"] = NoSopClass,
        ["pydicom/test_files/UN_sequence.dcm"] = NoSopClass,
        ["pydicom/test_files/meta_missing_tsyntax.dcm"] = NoSopClass,
        ["pydicom/test_files/empty_charset_LEI.dcm"] = NoSopClass,
        ["pydicom/test_files/nested_priv_SQ.dcm"] = NoSopClass,
        ["pydicom/test_files/no_meta_group_length.dcm"] = NoSopClass,
        ["pydicom/test_files/priv_SQ.dcm"] = NoSopClass,
        ["pydicom/test_files/dicomdirtests/DICOMDIR"] = NoSopClass,
        ["pydicom/test_files/dicomdirtests/DICOMDIR-bigEnd"] = NoSopClass,
        ["pydicom/test_files/dicomdirtests/DICOMDIR-empty.dcm"] = NoSopClass,
        ["pydicom/test_files/dicomdirtests/DICOMDIR-implicit"] = NoSopClass,
        // Its last directory record item declares 24 bytes more than the file holds: dcmdump reads what is there, the
        // ingest cannot tell that stale length from a cut file and refuses it as cut (a DICOMDIR is refused either way).
        ["pydicom/test_files/dicomdirtests/DICOMDIR-nooffset"] = "248 bytes needed but 224 remain in the input",
        ["pydicom/test_files/dicomdirtests/DICOMDIR-nopatient"] = NoSopClass,
        ["pydicom/test_files/dicomdirtests/DICOMDIR-reordered"] = NoSopClass,
        ["pydicom/test_files/dicomdirtests/TINY_ALPHA/DICOMDIR"] = NoSopClass,
        // Color palettes (Color Palette IOD): no study to file them under.
        ["pydicom/palettes/fall.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/hotiron.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/hotmetalblue.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/pet.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/pet20step.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/spring.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/summer.dcm"] = "Study Instance UID (0020,000D)",
        ["pydicom/palettes/winter.dcm"] = "Study Instance UID (0020,000D)",
        // Bare data sets: STOW-RS parts are Part 10 files (PS3.18 §8.6.1.1.1); DIMSE C-STORE takes them as data sets.
        ["pydicom/test_files/ExplVR_BigEndNoMeta.dcm"] = "No File Meta Information",
        ["pydicom/test_files/ExplVR_LitEndNoMeta.dcm"] = "No File Meta Information",
        ["pydicom/test_files/rtstruct.dcm"] = "No File Meta Information",
        // nibabel keeps only what its reader needs of this MR slice: no SOP Class UID.
        ["python3-nibabel/usr/lib/python3/dist-packages/nibabel/nicom/tests/data/decimal_rescale.dcm"] = NoSopClass,
    };

    /// <summary>
    /// Files with an empty Patient ID (type 2): stored like the others, under a provisional patient of the producing
    /// establishment. Listed so that the report shows them; a refusal fails the test like any other.
    /// </summary>
    private static readonly HashSet<string> EmptyPatientId = new(StringComparer.Ordinal)
    {
        "pydicom/test_files/ExplVR_BigEnd.dcm",
        "pydicom/test_files/GDCMJ2K_TextGBR.dcm",
        "pydicom/test_files/SC_jpeg_no_color_transform.dcm",
        "pydicom/test_files/SC_jpeg_no_color_transform_2.dcm",
        "pydicom/test_files/SC_rgb_jpeg_app14_dcmd.dcm",
        "pydicom/test_files/SC_rgb_jpeg_dcmd.dcm",
        "pydicom/test_files/image_dfl.dcm",
        "pydicom/test_files/reportsi.dcm",
        "pydicom/test_files/reportsi_with_empty_number_tags.dcm",
        "pydicom/test_files/test-SR.dcm",
        "gdcm/00191113.dcm",
    };

    [Fact]
    public async Task Every_file_dcmdump_reads_is_stored_byte_exact_or_refused_with_its_defect()
    {
        var ct = TestContext.Current.CancellationToken;
        var files = DebianDicomCorpus.ReadableByDcmdump.ToList();
        Assert.True(files.Count >= 100, $"only {files.Count} corpus files: python3-pydicom missing? (./test.sh installs it)");
        using var generated = new ToleranceFiles();
        files.AddRange(generated.All.Select(path => new DebianDicomCorpus.CorpusFile(path, "generated/" + Path.GetFileName(path), true, null)));
        var siblings = new Dictionary<string, int>(StringComparer.Ordinal);
        var uids = files.Select(f => SopInstanceUid(f.Path)).ToList();
        var taken = uids.OfType<string>().ToHashSet(StringComparer.Ordinal); // a sibling's new UID must not be another file's
        var prepared = new List<(string Name, byte[] Bytes, string Note)>();
        foreach (var (file, uid) in files.Zip(uids))
        {
            var bytes = await File.ReadAllBytesAsync(file.Path, ct);
            var note = "";
            if (uid is { Length: > 0 })
            {
                var earlier = siblings.GetValueOrDefault(uid);
                siblings[uid] = earlier + 1;
                if (earlier > 0 && ReplaceLastDigit(bytes, uid, taken) is { } renamed) note = $" (as sibling #{earlier}, SOP Instance UID …{renamed[^6..]})";
            }
            prepared.Add((file.Name, bytes, note));
        }

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await using var host = new ApiHost();
        using var http = host.CreateClient();
        // Bounded fan-out: four requests in flight, as a modality with a few associations would send.
        await Parallel.ForEachAsync(prepared, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (file, _) =>
            outcomes[file.Name] = await StoreAndRetrieveAsync(http, file.Bytes) + file.Note);

        var report = new StringBuilder();
        foreach (var file in DebianDicomCorpus.Files.Concat(files.Where(f => f.Name.StartsWith("generated/", StringComparison.Ordinal))))
        {
            report.Append(file.Name).Append(": ").AppendLine(file.DcmdumpReads ? outcomes[file.Name] : "not judged, dcmdump refuses it (" + file.DcmdumpError + ")");
        }
        TestContext.Current.SendDiagnosticMessage(report.ToString());
        if (Environment.GetEnvironmentVariable("MIRC_CORPUS_REPORT") is { Length: > 0 } reportPath)
        {
            await File.WriteAllTextAsync(reportPath, report.ToString(), ct);
        }

        var failures = new List<string>();
        foreach (var (name, outcome) in outcomes)
        {
            if (ExpectedRejections.TryGetValue(name, out var defect))
            {
                if (!outcome.StartsWith("rejected", StringComparison.Ordinal) || !outcome.Contains(defect, StringComparison.OrdinalIgnoreCase))
                    failures.Add($"{name}: expected a rejection naming '{defect}', got {outcome}");
            }
            else if (!outcome.StartsWith("stored byte-exact", StringComparison.Ordinal))
            {
                failures.Add($"{name}{(EmptyPatientId.Contains(name) ? " (empty Patient ID)" : "")}: {outcome}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n\nAll outcomes:\n" + report);
    }

    /// <summary>
    /// The same files cut short — halfway and at nine tenths, as an interrupted copy or transfer leaves them: wherever
    /// dcmdump refuses the cut file, the archive refuses it as unreadable (C000) instead of storing what is there.
    /// </summary>
    [Fact]
    public async Task Every_file_cut_where_dcmdump_refuses_it_is_refused_as_unreadable()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("mirc-cut-corpus-");
        try
        {
            var cuts = new List<(string Name, byte[] Bytes)>();
            foreach (var file in DebianDicomCorpus.ReadableByDcmdump)
            {
                var bytes = await File.ReadAllBytesAsync(file.Path, ct);
                foreach (var fraction in new[] { 0.5, 0.9 })
                {
                    var cut = bytes[..(int)(bytes.Length * fraction)];
                    var path = Path.Combine(work.FullName, $"{cuts.Count}.dcm");
                    await File.WriteAllBytesAsync(path, cut, ct);
                    // The referee: a cut that happens to fall between two elements leaves a readable file, not judged.
                    if (DebianDicomCorpus.DcmdumpError(path) is not null)
                    {
                        cuts.Add(($"{file.Name} cut at {cut.Length} of {bytes.Length} bytes", cut));
                    }
                }
            }

            Assert.True(cuts.Count >= 150, $"only {cuts.Count} cut files dcmdump refuses");
            await using var host = new ApiHost();
            using var http = host.CreateClient();
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Parallel.ForEachAsync(cuts, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (cut, _) =>
            {
                var outcome = await StoreAndRetrieveAsync(http, cut.Bytes);
                if (!outcome.StartsWith("rejected 409 (Failure Reason 49152)", StringComparison.Ordinal))
                {
                    failures.Add($"{cut.Name}: {outcome}");
                }
            });
            Assert.True(failures.IsEmpty, $"{failures.Count} of {cuts.Count} cut files not refused as unreadable:\n" + string.Join("\n", failures.Order(StringComparer.Ordinal)));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> StoreAndRetrieveAsync(HttpClient http, byte[] bytes)
    {
        var stow = await http.StowAsync([bytes]);
        var body = await stow.ReadJsonAsync();
        if (stow.StatusCode != HttpStatusCode.OK)
        {
            // The reason of a failed part is its Error Comment (0000,0902) in the Failed SOP Sequence item.
            var item = body.TryGetProperty("00081198", out var failed) ? failed.GetProperty("Value")[0] : default;
            var reason = item.ValueKind == System.Text.Json.JsonValueKind.Object ? item.DicomValue("00081197") : "?";
            var comment = item.ValueKind == System.Text.Json.JsonValueKind.Object ? item.DicomValue("00000902") : null;
            return $"rejected {(int)stow.StatusCode} (Failure Reason {reason}): {comment}";
        }
        var url = body.GetProperty("00081199").GetProperty("Value")[0].DicomValue("00081190")!;
        var wado = await http.GetAsync(new Uri(url).PathAndQuery, AnyDicom);
        if (wado.StatusCode != HttpStatusCode.OK) return $"stored, but WADO-RS answers {(int)wado.StatusCode}";
        var part = (await wado.ReadPartsAsync()).Single();
        return part.Body.AsSpan().SequenceEqual(bytes) ? "stored byte-exact" : $"stored, but WADO-RS returns {part.Body.Length} different bytes (sent {bytes.Length})";
    }

    /// <summary>Gives the <paramref name="sibling"/>-th file sharing <paramref name="uid"/> its own UID of the same length; null when the UID is not in the raw bytes (deflated).</summary>
    private static string? ReplaceLastDigit(byte[] bytes, string uid, HashSet<string> taken)
    {
        if ("123456789".Select(d => uid[..^1] + d).FirstOrDefault(u => !taken.Contains(u)) is not { } renamed) return null;
        taken.Add(renamed);
        var from = Encoding.ASCII.GetBytes(uid);
        var to = Encoding.ASCII.GetBytes(renamed);
        var found = false;
        for (var at = bytes.AsSpan().IndexOf(from); at >= 0;)
        {
            to.CopyTo(bytes, at);
            found = true;
            var next = bytes.AsSpan(at + from.Length).IndexOf(from);
            at = next < 0 ? -1 : at + from.Length + next;
        }
        return found ? renamed : null;
    }

    private static string? SopInstanceUid(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var file = DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly).GetAwaiter().GetResult();
            return file.Dataset.GetStringOrDefault(DicomTag.SOPInstanceUID)?.Trim('\0', ' ');
        }
        catch (DicomFormatException)
        {
            return null;
        }
    }
}
