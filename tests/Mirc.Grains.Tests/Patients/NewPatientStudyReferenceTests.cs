using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.Patients;

/// <summary>
/// A new patient's record is written with its first study already listed: the ingest does not call the patient again
/// with the same reference, and still does when the study's reference changes.
/// </summary>
public sealed class NewPatientStudyReferenceTests
{
    [Fact]
    public async Task A_new_patients_first_study_is_listed_without_a_second_call_and_a_new_modality_in_it_updates_the_reference()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var archive = new ArchiveCluster();
        await archive.InitializeAsync();
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-REFS" } };
        archive.Calls.Reset();

        var stored = new List<(string Study, string Series, string Patient)>();
        for (var n = 0; n < 5; n++)
        {
            var (study, series) = (SyntheticInstance.NewUid(), SyntheticInstance.NewUid());
            using var instance = new MemoryStream(new SyntheticInstance { StudyUid = study, SeriesUid = series, PatientId = $"NEW-PATIENT-{n}" }.ToPart10());
            var outcome = await archive.Ingestor.IngestAsync(instance, request, ct);
            Assert.Equal(IngestStatus.Stored, outcome.Status);
            stored.Add((study, series, outcome.PatientId!));
        }

        Assert.Equal(0, UpsertStudyCalls(archive));
        foreach (var (study, _, patient) in stored)
        {
            var listed = Assert.Single((await archive.Grains.GetGrain<IPatientGrain>(patient).GetAsync()).Studies);
            Assert.Equal(study, listed.StudyInstanceUid);
            Assert.Equal(1, listed.InstanceCount);
        }

        // A series of another modality changes the study's reference: the patient is told (the call is sent, not waited
        // for, by the ingest: it arrives within moments).
        var (firstStudy, _, firstPatient) = stored[0];
        using (var second = new MemoryStream(new SyntheticInstance { StudyUid = firstStudy, Modality = "MR", SopClassUid = Mirc.Dicom.DicomUids.MRImageStorage, SeriesNumber = 2, PatientId = "NEW-PATIENT-0" }.ToPart10()))
        {
            Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(second, request, ct)).Status);
        }

        for (var wait = 0; wait < 500 && UpsertStudyCalls(archive) == 0; wait++)
        {
            await Task.Delay(10, ct);
        }

        Assert.Equal(1, UpsertStudyCalls(archive));
        Assert.Equal(["CT", "MR"], Assert.Single((await archive.Grains.GetGrain<IPatientGrain>(firstPatient).GetAsync()).Studies).Modalities.Order(StringComparer.Ordinal));
    }

    private static int UpsertStudyCalls(ArchiveCluster archive) => archive.Calls.Snapshot()
        .Where(c => c.Key.Contains(nameof(IPatientGrain), StringComparison.Ordinal) && c.Key.EndsWith("." + nameof(IPatientGrain.UpsertStudyAsync), StringComparison.Ordinal))
        .Sum(c => c.Value);
}
