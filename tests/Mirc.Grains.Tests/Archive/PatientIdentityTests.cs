using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class PatientIdentityTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance, string establishment)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishment } }, TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        return outcome;
    }

    [Fact]
    public async Task Same_local_id_maps_to_the_same_regional_patient_across_studies()
    {
        var first = await IngestAsync(new SyntheticInstance { PatientId = "IPP-77", Issuer = "CHU" }, "EST-A");
        var second = await IngestAsync(new SyntheticInstance { PatientId = "IPP-77", Issuer = "CHU" }, "EST-A");
        var otherIssuer = await IngestAsync(new SyntheticInstance { PatientId = "IPP-77", Issuer = "CLINIQUE" }, "EST-A");

        Assert.Equal(first.PatientId, second.PatientId);
        Assert.NotEqual(first.PatientId, otherIssuer.PatientId);
        var patient = await archive.Grains.GetGrain<IPatientGrain>(first.PatientId!).GetAsync();
        Assert.Equal(2, patient.Studies.Count);
    }

    [Fact]
    public async Task Ins_links_records_of_two_establishments_to_one_patient()
    {
        var ins = new NationalIdentity("2700199123456", NationalIdentity.TestInsOid);
        var atA = await IngestAsync(new SyntheticInstance { PatientId = "A-123", Issuer = "HOSP-A", Ins = ins }, "EST-A");
        var atB = await IngestAsync(new SyntheticInstance { PatientId = "B-999", Issuer = "HOSP-B", Ins = ins }, "EST-B");
        var withoutIns = await IngestAsync(new SyntheticInstance { PatientId = "C-1", Issuer = "HOSP-C" }, "EST-C");

        Assert.Equal(atA.PatientId, atB.PatientId);
        Assert.NotEqual(atA.PatientId, withoutIns.PatientId);
        var patient = await archive.Grains.GetGrain<IPatientGrain>(atA.PatientId!).GetAsync();
        Assert.Equal(ins, patient.Ins);
        Assert.Contains(new LocalPatientId("EST-A", "HOSP-A", "A-123"), patient.LocalIds);
        Assert.Contains(new LocalPatientId("EST-B", "HOSP-B", "B-999"), patient.LocalIds);
        Assert.Equal(2, patient.Studies.Count);
        Assert.Equal(["EST-A", "EST-B"], patient.Studies.Select(s => s.EstablishmentId).Order());
        Assert.Contains(patient.History, h => h.Kind == IdentityLinkKind.InsAttached && h.Ins == ins);
        Assert.Equal(atA.PatientId, await archive.Grains.GetGrain<IInsIdentityGrain>(ins.Key).GetAsync());
    }

    [Fact]
    public async Task An_ins_owned_by_another_patient_is_not_merged_and_its_warning_names_no_identifier()
    {
        var ins = new NationalIdentity("2700199654321", NationalIdentity.TestInsOid);
        var withoutIns = await IngestAsync(new SyntheticInstance { PatientId = "CONFLICT-A", Issuer = "HOSP-A" }, "EST-A");
        var owner = await IngestAsync(new SyntheticInstance { PatientId = "CONFLICT-B", Issuer = "HOSP-B", Ins = ins }, "EST-B");

        var conflicting = await IngestAsync(new SyntheticInstance { PatientId = "CONFLICT-A", Issuer = "HOSP-A", Ins = ins }, "EST-A");

        Assert.Equal(withoutIns.PatientId, conflicting.PatientId);
        Assert.NotEqual(owner.PatientId, conflicting.PatientId);
        var warning = Assert.Single(archive.Logs.GetSnapshot(), r => r.Message.Contains("manual link needed", StringComparison.Ordinal)
            && r.Message.Contains(conflicting.PatientId!, StringComparison.Ordinal));
        Assert.Contains(owner.PatientId!, warning.Message, StringComparison.Ordinal);
        // The national health number and the local patient id stay in the patients' records, out of the log.
        Assert.DoesNotContain(archive.Logs.GetSnapshot(), r => r.Message.Contains(ins.Value, StringComparison.Ordinal) || r.Message.Contains("CONFLICT-A", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Manual_link_and_unlink_are_applied_and_kept_in_history()
    {
        var x = await IngestAsync(new SyntheticInstance { PatientId = "X-1", Issuer = "HX" }, "EST-X");
        var y = await IngestAsync(new SyntheticInstance { PatientId = "Y-1", Issuer = "HY" }, "EST-Y");
        Assert.NotEqual(x.PatientId, y.PatientId);
        var admin = archive.Grains.GetGrain<IPatientIdentityAdminGrain>(0);
        var yLocal = new LocalPatientId("EST-Y", "HY", "Y-1");

        var previous = await admin.LinkAsync(yLocal, x.PatientId!, "10001", "same person, checked on ID card");

        Assert.Equal(y.PatientId, previous);
        var later = await IngestAsync(new SyntheticInstance { PatientId = "Y-1", Issuer = "HY" }, "EST-Y");
        Assert.Equal(x.PatientId, later.PatientId);
        var px = await archive.Grains.GetGrain<IPatientGrain>(x.PatientId!).GetAsync();
        Assert.Contains(yLocal, px.LocalIds);
        var link = Assert.Single(px.History, h => h.Kind == IdentityLinkKind.ManualLink);
        Assert.Equal("10001", link.Actor);
        Assert.Equal("same person, checked on ID card", link.Reason);
        Assert.Equal(y.PatientId, link.OtherPatientId);
        var py = await archive.Grains.GetGrain<IPatientGrain>(y.PatientId!).GetAsync();
        Assert.DoesNotContain(yLocal, py.LocalIds);
        Assert.Contains(py.History, h => h.Kind == IdentityLinkKind.ManualUnlink && h.LocalId == yLocal && h.OtherPatientId == x.PatientId);

        var fresh = await admin.UnlinkAsync(yLocal, "10002", "wrong match");

        Assert.NotEqual(x.PatientId, fresh);
        var afterUnlink = await IngestAsync(new SyntheticInstance { PatientId = "Y-1", Issuer = "HY" }, "EST-Y");
        Assert.Equal(fresh, afterUnlink.PatientId);
        px = await archive.Grains.GetGrain<IPatientGrain>(x.PatientId!).GetAsync();
        Assert.DoesNotContain(yLocal, px.LocalIds);
        // The studies received under Y-1 followed it in (at the link) and out (at the unlink).
        Assert.Equal(
            [IdentityLinkKind.AutoLinked, IdentityLinkKind.ManualLink, IdentityLinkKind.StudiesMoved, IdentityLinkKind.ManualUnlink, IdentityLinkKind.StudiesMoved],
            px.History.Select(h => h.Kind));
        Assert.Equal("wrong match", px.History[^1].Reason);
    }

    [Fact]
    public void Regional_ids_are_unique_sortable_ulids()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Mirc.Grains.Patients.RegionalPatientIds.New()).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9A-HJKMNP-TV-Z]{26}$", id));
    }
}
