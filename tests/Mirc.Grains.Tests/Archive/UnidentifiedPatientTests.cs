using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Patient ID is type 2: studies without one are kept under a provisional patient until their identity is reconciled.</summary>
public sealed class UnidentifiedPatientTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private const string Establishment = "750000002";
    private static readonly IngestRequest Request = new() { Caller = new IngestCaller { EstablishmentId = Establishment } };

    private async Task<IngestOutcome> IngestAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return await archive.Ingestor.IngestAsync(stream, Request, TestContext.Current.CancellationToken);
    }

    private static byte[] WithoutPatientId(SyntheticInstance instance)
    {
        var ds = instance.BuildDataset();
        ds.Remove(DicomTag.PatientID);
        ds.Remove(DicomTag.IssuerOfPatientID);
        return DicomFileWriter.Write(new DicomFile(ds, instance.TransferSyntax));
    }

    [Fact]
    public async Task Empty_or_absent_patient_id_is_stored_under_a_provisional_patient_of_its_own_study()
    {
        var empty = new SyntheticInstance { PatientId = "", Issuer = null };
        var absent = new SyntheticInstance();

        var first = await IngestAsync(empty.ToPart10());
        var second = await IngestAsync(WithoutPatientId(absent));

        Assert.Equal(IngestStatus.Stored, first.Status);
        Assert.Equal(IngestStatus.Stored, second.Status);
        Assert.NotEqual(first.PatientId, second.PatientId);
        var indexed = await archive.Index.GetStudyAsync(empty.StudyUid, TestContext.Current.CancellationToken);
        Assert.Equal(string.Empty, indexed!.PatientId);
        Assert.Equal(first.PatientId, indexed.RegionalPatientId);
        var provisional = await archive.Grains.GetGrain<IPatientGrain>(first.PatientId!).GetAsync();
        Assert.Equal(UnidentifiedPatients.ProvisionalId(Establishment, empty.StudyUid), Assert.Single(provisional.LocalIds));
        Assert.Equal(empty.StudyUid, Assert.Single(provisional.Studies).StudyInstanceUid);
        Assert.Equal(string.Empty, (await archive.Index.GetStudyAsync(absent.StudyUid, TestContext.Current.CancellationToken))!.PatientId);
    }

    [Fact]
    public async Task A_later_instance_with_an_identity_moves_the_study_to_the_identified_patient()
    {
        var unidentified = new SyntheticInstance { PatientId = "", Issuer = null };
        var identified = unidentified with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2, PatientId = "IPP-LATE", Issuer = "HOSP-B" };
        var provisional = (await IngestAsync(unidentified.ToPart10())).PatientId!;

        var outcome = await IngestAsync(identified.ToPart10());

        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.NotEqual(provisional, outcome.PatientId);
        var study = await archive.Grains.GetGrain<IStudyGrain>(unidentified.StudyUid).GetSummaryAsync();
        Assert.Equal(outcome.PatientId, study.PatientId);
        Assert.Equal(2, study.InstanceCount);
        Assert.Empty((await archive.Grains.GetGrain<IPatientGrain>(provisional).GetAsync()).Studies);
        var patient = await archive.Grains.GetGrain<IPatientGrain>(outcome.PatientId!).GetAsync();
        Assert.Equal(2, Assert.Single(patient.Studies).InstanceCount);
        Assert.Contains(patient.History, e => e.Kind == IdentityLinkKind.ManualLink && e.Actor == PatientGrain.IngestActor);
        var indexed = await archive.Index.GetStudyAsync(unidentified.StudyUid, TestContext.Current.CancellationToken);
        Assert.Equal("IPP-LATE", indexed!.PatientId);
        Assert.Equal(outcome.PatientId, indexed.RegionalPatientId);
        Assert.Equal(2, indexed.NumberOfInstances);

        // Once identified, an instance without identity still joins the study's patient.
        var late = await IngestAsync((unidentified with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 3 }).ToPart10());
        Assert.Equal(IngestStatus.Stored, late.Status);
        Assert.Equal(outcome.PatientId, late.PatientId);
        Assert.Equal("IPP-LATE", (await archive.Index.GetStudyAsync(unidentified.StudyUid, TestContext.Current.CancellationToken))!.PatientId);
        Assert.Empty(await archive.Index.QueryAsync(new IndexQuery(QueryLevel.Patient, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.RegionalPatientId] = provisional },
        }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_operator_reconciles_an_unidentified_study_with_a_known_patient()
    {
        var known = new SyntheticInstance { PatientId = "IPP-KNOWN" };
        var target = (await IngestAsync(known.ToPart10())).PatientId!;
        var unidentified = new SyntheticInstance { PatientId = "", Issuer = null };
        var provisional = (await IngestAsync(unidentified.ToPart10())).PatientId!;
        var service = archive.Services.GetRequiredService<UnidentifiedPatients>();

        var left = await service.ReconcileAsync(unidentified.StudyUid, target, "10001", "Identified by the emergency desk", TestContext.Current.CancellationToken);

        Assert.Equal(provisional, left);
        Assert.Null(await service.FindProvisionalOwnerAsync(unidentified.StudyUid));
        Assert.Equal(target, (await archive.Grains.GetGrain<IStudyGrain>(unidentified.StudyUid).GetSummaryAsync()).PatientId);
        Assert.Equal(2, (await archive.Grains.GetGrain<IPatientGrain>(target).GetAsync()).Studies.Count);
        var indexed = await archive.Index.GetStudyAsync(unidentified.StudyUid, TestContext.Current.CancellationToken);
        Assert.Equal("IPP-KNOWN", indexed!.PatientId);
        Assert.Equal(target, indexed.RegionalPatientId);
        Assert.Null(await service.ReconcileAsync(known.StudyUid, provisional, "10001", "not unidentified", TestContext.Current.CancellationToken));
    }
}
