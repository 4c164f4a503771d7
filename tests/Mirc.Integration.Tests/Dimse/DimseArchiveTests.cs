using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>dcmtk against the running archive: every DIMSE service end to end, through the proxy grain and the archive.</summary>
public sealed class DimseArchiveTests(DimseHostFixture archive) : IClassFixture<DimseHostFixture>, IDisposable
{
    private readonly TempDataFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Echo_from_a_registered_AE_succeeds_and_an_unknown_calling_AE_is_rejected()
    {
        await Dcmtk.RunOkAsync("echoscu", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port);

        var rejected = await Dcmtk.RunAsync("echoscu", "-aet", "INTRUDER", "-aec", "MIRC", "127.0.0.1", archive.Port);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", rejected.Combined);
    }

    [Fact]
    public async Task Association_to_another_called_AE_is_rejected()
    {
        var rejected = await Dcmtk.RunAsync("echoscu", "-aet", "STORESCU", "-aec", "NOT_MIRC", "127.0.0.1", archive.Port);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Called AE Title Not Recognized", rejected.Combined);
    }

    [Fact]
    public async Task Stored_study_is_found_at_every_level()
    {
        var study = new SyntheticStudy("PAT-FIND", "MARTIN^Éloïse", seriesCount: 2, instancesPerSeries: 3);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);

        var patients = await Dcmtk.RunOkAsync("findscu", "-P", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=PATIENT",
            "-k", "PatientID=PAT-FIND", "-k", "PatientName", "127.0.0.1", archive.Port);
        Assert.Equal(1, Count(patients.Combined, "Find Response:"));
        Assert.Contains("MARTIN^Éloïse", patients.Combined);

        var studies = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "PatientName=martin*", "-k", "StudyDate=20250101-20251231", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances",
            "127.0.0.1", archive.Port);
        Assert.Equal(1, Count(studies.Combined, "Find Response:"));
        Assert.Contains(study.StudyUid, studies.Combined);
        Assert.Matches(@"IS \[6 ?\]", studies.Combined);

        var series = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=SERIES",
            "-k", $"StudyInstanceUID={study.StudyUid}", "-k", "SeriesInstanceUID", "-k", "Modality=CT", "127.0.0.1", archive.Port);
        Assert.Equal(2, Count(series.Combined, "Find Response:"));

        var images = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=IMAGE",
            "-k", $"StudyInstanceUID={study.StudyUid}", "-k", $"SeriesInstanceUID={study.SeriesUids[1]}", "-k", "SOPInstanceUID",
            "127.0.0.1", archive.Port);
        Assert.Equal(3, Count(images.Combined, "Find Response:"));
        Assert.All(study.Instances.Where(i => i.SeriesUid == study.SeriesUids[1]), i => Assert.Contains(i.SopInstanceUid, images.Combined));
    }

    [Fact]
    public async Task Another_establishment_device_sees_and_retrieves_nothing_without_a_care_relationship()
    {
        var study = new SyntheticStudy("PAT-HIDDEN", "SECRET^Alice", 1, 1);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);

        var found = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "B_FIND", "-aec", "MIRC", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "PatientID=PAT-HIDDEN", "-k", "StudyInstanceUID", "127.0.0.1", archive.Port);
        Assert.Equal(0, Count(found.Combined, "Find Response:") - Count(found.Combined, "(Success)"));
        Assert.DoesNotContain(study.StudyUid, found.Combined);

        var output = Path.Combine(_work.Path, "b-get");
        Directory.CreateDirectory(output);
        await Dcmtk.RunAsync("getscu", "-aet", "B_GET", "-aec", "MIRC", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
        Assert.Empty(Directory.GetFiles(output));

        // The refused retrieve is on record as denied, naming the study and its patient (never as a successful empty one).
        var audit = archive.Host.Services.GetRequiredService<IAuditTrail>();
        var stored = (await audit.QueryAsync(new AuditFilter { ActorId = "ae:STORESCU", Actions = [AuditAction.Store], Limit = 100_000 }, TestContext.Current.CancellationToken))
            .First(r => r.Event.StudyUids.Contains(study.StudyUid));
        var byB = await audit.QueryAsync(new AuditFilter { ActorId = "ae:B_GET", Actions = [AuditAction.Retrieve] }, TestContext.Current.CancellationToken);
        var denied = Assert.Single(byB, r => r.Event.StudyUids.Contains(study.StudyUid));
        Assert.Equal(AuditOutcome.Denied, denied.Event.Outcome);
        Assert.NotNull(stored.Event.PatientId);
        Assert.Equal(stored.Event.PatientId, denied.Event.PatientId);
        Assert.DoesNotContain(byB, r => r.Event.Outcome == AuditOutcome.Success && r.Event.StudyUids.Contains(study.StudyUid));
    }

    [Fact]
    public async Task Successful_stores_are_on_record_once_per_study_per_association_and_each_failure_on_its_own()
    {
        var ct = TestContext.Current.CancellationToken;
        var study = new SyntheticStudy("PAT-ATNA", "ATNA^Anne", 1, 3);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "atna"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);

        // A second association: an instance already stored (a success) and a new one claiming another patient (refused).
        var intruder = Path.Combine(_work.Path, "atna-other-patient.dcm");
        File.Copy(files[0], intruder);
        await Dcmtk.RunOkAsync("dcmodify", "-nb", "-gin", "-m", "PatientID=PAT-ATNA-OTHER", intruder);
        var second = await Dcmtk.RunAsync("storescu", ["-v", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, files[1], intruder]);
        Assert.Equal(1, Count(second.Combined, "Received Store Response (Success)"));
        Assert.Equal(2, Count(second.Combined, "Received Store Response"));

        var audit = archive.Host.Services.GetRequiredService<IAuditTrail>();
        var records = (await audit.QueryAsync(new AuditFilter { ActorId = "ae:STORESCU", Actions = [AuditAction.Store], Limit = 100_000 }, ct))
            .Where(r => r.Event.StudyUids.Contains(study.StudyUid)).ToList();
        Assert.Equal(2, records.Count(r => r.Event.Outcome == AuditOutcome.Success));
        var refused = Assert.Single(records, r => r.Event.Outcome == AuditOutcome.Failure);
        Assert.Contains("another patient", refused.Event.Detail ?? "", StringComparison.Ordinal);
        Assert.All(records, r => Assert.NotNull(r.Event.PatientId));
    }

    [Fact]
    public async Task A_CFIND_whose_matches_span_two_patients_is_on_each_patients_access_report()
    {
        var first = new SyntheticStudy("PAT-SPAN-1", "SPAN^Jeanne", 1, 1);
        var second = new SyntheticStudy("PAT-SPAN-2", "SPAN^Louis", 1, 1);
        var files = (await first.WriteAsync(Path.Combine(_work.Path, "span1"), DicomTransferSyntax.ExplicitVRLittleEndian))
            .Concat(await second.WriteAsync(Path.Combine(_work.Path, "span2"), DicomTransferSyntax.ExplicitVRLittleEndian)).ToArray();
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);

        var found = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "PatientName=SPAN^*", "-k", "StudyInstanceUID", "127.0.0.1", archive.Port);
        Assert.Contains(first.StudyUid, found.Combined);
        Assert.Contains(second.StudyUid, found.Combined);

        var audit = archive.Host.Services.GetRequiredService<IAuditTrail>();
        var ct = TestContext.Current.CancellationToken;
        var stores = await audit.QueryAsync(new AuditFilter { ActorId = "ae:STORESCU", Actions = [AuditAction.Store], Limit = 100_000 }, ct);
        foreach (var study in new[] { first, second })
        {
            var patient = stores.First(r => r.Event.StudyUids.Contains(study.StudyUid)).Event.PatientId!;
            var report = await audit.GetPatientAccessReportAsync(patient, ct);
            var query = Assert.Single(report, e => e.Action == AuditAction.Query && e.Who == "ae:FINDSCU");
            Assert.Equal([study.StudyUid], query.StudyUids);
        }
    }

    [Fact]
    public async Task Files_stored_in_several_syntaxes_over_parallel_associations_come_back_byte_identical_by_CGET()
    {
        var study = new SyntheticStudy("PAT-GET", "DURAND^Paul", 2, 4);
        var explicitFiles = await study.WriteAsync(Path.Combine(_work.Path, "explicit"), DicomTransferSyntax.ExplicitVRLittleEndian);
        var implicitFolder = Path.Combine(_work.Path, "implicit");
        var implicitFiles = (await study.WriteAsync(implicitFolder, DicomTransferSyntax.ImplicitVRLittleEndian)).ToArray();

        // Series 1 in explicit VR, series 2 in implicit VR, each half on its own association, all at once.
        var s1 = explicitFiles.Where(f => f.Contains(study.SeriesUids[0] + ".", StringComparison.Ordinal)).ToArray();
        var s2 = implicitFiles.Where(f => f.Contains(study.SeriesUids[1] + ".", StringComparison.Ordinal)).ToArray();
        await Task.WhenAll(
            Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "-xe", "127.0.0.1", archive.Port, .. s1[..2]]),
            Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "-xe", "127.0.0.1", archive.Port, .. s1[2..]]),
            Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "-xi", "127.0.0.1", archive.Port, .. s2[..2]]),
            Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "-xi", "127.0.0.1", archive.Port, .. s2[2..]]));

        var output = Path.Combine(_work.Path, "got");
        Directory.CreateDirectory(output);
        await Dcmtk.RunOkAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "+xe", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
        var received = Directory.GetFiles(output);
        Assert.Equal(8, received.Length);

        // Stored in the syntax the requestor accepts: sent back byte-exact.
        foreach (var sent in s1)
        {
            Assert.Equal(await DatasetBytesAsync(sent), await DatasetBytesAsync(Received(received, sent)));
        }

        // Stored implicit, requestor accepts explicit only on its one storage context: same elements, same values.
        foreach (var sent in s2)
        {
            var original = await DicomFileReader.ReadAsync(sent, cancellationToken: TestContext.Current.CancellationToken);
            var back = await DicomFileReader.ReadAsync(Received(received, sent), cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(original.Dataset.Select(e => (e.Tag, Convert.ToHexString(e.Buffer.Span))),
                back.Dataset.Select(e => (e.Tag, Convert.ToHexString(e.Buffer.Span))));
        }
    }

    private static string Received(string[] received, string sent)
    {
        var sop = Path.GetFileNameWithoutExtension(sent);
        return Assert.Single(received, r => r.EndsWith(sop, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CMOVE_pushes_the_series_to_a_registered_dcmtk_storescp()
    {
        var study = new SyntheticStudy("PAT-MOVE", "LEROY^Anne", 2, 2);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);

        var output = Path.Combine(_work.Path, "moved");
        Directory.CreateDirectory(output);
        using var receiver = DcmtkStoreScp.Start("IT_DEST", archive.MoveDestinationPort, output);
        var move = await Dcmtk.RunOkAsync("movescu", "-S", "-aet", "MOVESCU", "-aec", "MIRC", "-aem", "IT_DEST", "-k", "QueryRetrieveLevel=SERIES",
            "-k", $"StudyInstanceUID={study.StudyUid}", "-k", $"SeriesInstanceUID={study.SeriesUids[1]}", "127.0.0.1", archive.Port);

        var expected = study.Instances.Where(i => i.SeriesUid == study.SeriesUids[1]).Select(i => i.SopInstanceUid).ToHashSet();
        var moved = Directory.GetFiles(output).Select(Path.GetFileName).ToList();
        Assert.True(moved.Count == expected.Count, $"moved {moved.Count} file(s), expected {expected.Count}:\n{move.Combined}");
        Assert.All(expected, sop => Assert.Contains(moved, m => m!.EndsWith(sop, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Patient_level_CGET_retrieves_every_study_of_the_patient()
    {
        var first = new SyntheticStudy("PAT-PGET", "BLANC^Lucie", 1, 2);
        var second = new SyntheticStudy("PAT-PGET", "BLANC^Lucie", 1, 1);
        var files = (await first.WriteAsync(Path.Combine(_work.Path, "a"), DicomTransferSyntax.ExplicitVRLittleEndian))
            .Concat(await second.WriteAsync(Path.Combine(_work.Path, "b"), DicomTransferSyntax.ExplicitVRLittleEndian)).ToArray();
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);

        var output = Path.Combine(_work.Path, "patient-get");
        Directory.CreateDirectory(output);
        await Dcmtk.RunOkAsync("getscu", "-P", "-aet", "GETSCU", "-aec", "MIRC", "-od", output, "-k", "QueryRetrieveLevel=PATIENT",
            "-k", "PatientID=PAT-PGET", "127.0.0.1", archive.Port);
        Assert.Equal(3, Directory.GetFiles(output).Length);
    }

    [Fact]
    public async Task CMOVE_of_an_opposed_patient_reaches_only_the_patients_own_establishment()
    {
        var study = new SyntheticStudy("PAT-OPPOSED-MOVE", "ROUX^Paul", 1, 2);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "opposed"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, .. files]);
        var grains = archive.Host.Services.GetRequiredService<IGrainFactory>();
        var patient = (await grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync()).PatientId!;
        var dpo = new ProfessionalPrincipal { Subject = "dpo", EstablishmentId = "platform", Roles = MircRoles.DataProtectionOfficer };
        await grains.GetGrain<IConsentGrain>(patient).ChangeAsync(dpo, new ConsentChangeRequest { Kind = ConsentChangeKind.Oppose, Reason = "patient letter" });

        // EST_B's destination: refused as a whole, nothing reaches it.
        var refusedFolder = Directory.CreateDirectory(Path.Combine(_work.Path, "refused")).FullName;
        using (DcmtkStoreScp.Start("IT_DEST", archive.MoveDestinationPort, refusedFolder))
        {
            var refused = await Dcmtk.RunAsync("movescu", "-S", "-aet", "MOVESCU", "-aec", "MIRC", "-aem", "IT_DEST", "-k", "QueryRetrieveLevel=STUDY",
                "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
            // dcmtk names 0124 (Refused: Not Authorized) "Unknown Status: 0x124".
            Assert.Matches("(?i)error status.*0x0?124", refused.Combined);
            Assert.Empty(Directory.GetFiles(refusedFolder));
        }

        // The producer's own destination still gets it: nothing leaves the patient's side.
        var ownFolder = Directory.CreateDirectory(Path.Combine(_work.Path, "own")).FullName;
        using (DcmtkStoreScp.Start("OWN_DEST", archive.OwnDestinationPort, ownFolder))
        {
            var moved = await Dcmtk.RunOkAsync("movescu", "-S", "-aet", "MOVESCU", "-aec", "MIRC", "-aem", "OWN_DEST", "-k", "QueryRetrieveLevel=STUDY",
                "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
            Assert.True(Directory.GetFiles(ownFolder).Length == 2, moved.Combined);
        }

        var audit = archive.Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(TestContext.Current.CancellationToken);
        var denied = await audit.QueryAsync(new AuditFilter { PatientId = patient, Actions = [AuditAction.Retrieve] }, TestContext.Current.CancellationToken);
        Assert.Contains(denied, r => r.Event.Outcome == AuditOutcome.Denied && r.Event.StudyUids.Contains(study.StudyUid));
    }

    [Fact]
    public async Task CMOVE_to_an_unknown_destination_fails_with_A801()
    {
        var move = await Dcmtk.RunAsync("movescu", "-S", "-aet", "MOVESCU", "-aec", "MIRC", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "StudyInstanceUID=1.2.3.4", "127.0.0.1", archive.Port);
        Assert.Contains("Refused: MoveDestinationUnknown", move.Combined, StringComparison.Ordinal);
    }

    private static int Count(string text, string needle)
    {
        var n = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    /// <summary>The dataset bytes after the File Meta: what the modality sent and what the archive must give back.</summary>
    private static async Task<byte[]> DatasetBytesAsync(string path)
    {
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        var file = DicomFileReader.Read(bytes, new DicomReadOptions { StopAtPixelData = true });
        var metaEnd = 132 + 12 + (int)file.FileMetaInformation.GetInt32(new DicomTag(0x0002, 0x0000));
        return bytes[metaEnd..];
    }
}
