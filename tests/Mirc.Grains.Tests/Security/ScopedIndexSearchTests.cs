using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;
using static Mirc.Grains.Tests.Security.TestPrincipals;

namespace Mirc.Grains.Tests.Security;

/// <summary>Listing equals retrieving: rows the index pre-filter admits but the decision denies are dropped before paging and counting.</summary>
public sealed class ScopedIndexSearchTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    private const string PrivateProducer = "EST-SCOPED-PRIVATE";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Private_producers_studies_are_hidden_from_rows_pages_and_patient_counts()
    {
        const string patient = "PAT-SCOPED";
        var radiologist = RadiologistB("RPPS-SCOPED");
        await cluster.Grains.GetGrain<ICareRelationshipGrain>(radiologist.ProfessionalId).DeclareAsync(radiologist, patient, "follow-up", null);
        await cluster.Grains.GetGrain<IEstablishmentGrain>(PrivateProducer).SaveAsync(new EstablishmentProfile { EstablishmentId = PrivateProducer, Name = "Private", Sharing = SharingPolicy.Private });
        var index = new PreFilteringIndex(
            Study("1.1", patient, PrivateProducer),
            Study("1.2", patient, EstablishmentA),
            Study("1.3", patient, PrivateProducer),
            Study("1.4", patient, EstablishmentA),
            Study("1.5", "PAT-STRANGER", EstablishmentA));
        var filter = new StudyVisibilityFilter(await cluster.AccessControl.GetScopeAsync(radiologist, AccessAction.QueryStudies, Ct), cluster.Grains);
        Assert.False(filter.IsExact);

        var all = await ScopedIndexSearch.QueryAsync(index, new IndexQuery(QueryLevel.Study, IndexAuthorization.All), filter, Ct);
        Assert.Equal(["1.2", "1.4"], all.Select(r => r[IndexTags.StudyInstanceUid]));

        var secondPage = await ScopedIndexSearch.QueryAsync(index, new IndexQuery(QueryLevel.Study, IndexAuthorization.All) { Offset = 1, Limit = 1 }, filter, Ct);
        Assert.Equal(["1.4"], secondPage.Select(r => r[IndexTags.StudyInstanceUid]));

        var patients = await ScopedIndexSearch.QueryAsync(index, new IndexQuery(QueryLevel.Patient, IndexAuthorization.All), filter, Ct);
        var row = Assert.Single(patients);
        Assert.Equal("2", row[IndexTags.NumberOfPatientRelatedStudies]); // the index counted 4 pre-filtered studies
    }

    [Fact]
    public async Task Patients_seen_only_through_private_studies_are_not_listed()
    {
        const string patient = "PAT-SCOPED-ONLY-PRIVATE";
        var physician = Make(MircRoles.Physician, EstablishmentB, "phys-scoped", "RPPS-SCOPED-2");
        await cluster.Grains.GetGrain<ICareRelationshipGrain>(physician.ProfessionalId).DeclareAsync(physician, patient, "follow-up", null);
        await cluster.Grains.GetGrain<IEstablishmentGrain>(PrivateProducer).SaveAsync(new EstablishmentProfile { EstablishmentId = PrivateProducer, Name = "Private", Sharing = SharingPolicy.Private });
        var index = new PreFilteringIndex(Study("2.1", patient, PrivateProducer));
        var filter = new StudyVisibilityFilter(await cluster.AccessControl.GetScopeAsync(physician, AccessAction.QueryStudies, Ct), cluster.Grains);

        Assert.Empty(await ScopedIndexSearch.QueryAsync(index, new IndexQuery(QueryLevel.Patient, IndexAuthorization.All), filter, Ct));
        Assert.Empty(await ScopedIndexSearch.QueryAsync(index, new IndexQuery(QueryLevel.Series, IndexAuthorization.All), filter, Ct));

        // The producer's own staff see it: their pre-filter is exact.
        var own = new StudyVisibilityFilter(await cluster.AccessControl.GetScopeAsync(Make(MircRoles.Technician, PrivateProducer), AccessAction.QueryStudies, Ct), cluster.Grains);
        Assert.True(own.IsExact);
        Assert.Single(await ScopedIndexSearch.QueryAsync(index, new IndexQuery(QueryLevel.Study, IndexAuthorization.All), own, Ct));
    }

    private static Dictionary<uint, string> Study(string uid, string patient, string producer) => new()
    {
        [IndexTags.StudyInstanceUid] = uid,
        [IndexTags.PatientId] = patient,
        [IndexTags.RegionalPatientId] = patient,
        [IndexTags.ProducingEstablishmentId] = producer,
    };

    /// <summary>Applies only the index pre-filter (as the SQL index does), with paging and patient study counts.</summary>
    private sealed class PreFilteringIndex(params Dictionary<uint, string>[] studies) : IQueryIndex
    {
        public Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default)
        {
            var auth = query.Authorization;
            var admitted = studies.Where(s => auth.IsAll || auth.EstablishmentIds.Contains(s[IndexTags.ProducingEstablishmentId])
                || auth.RegionalPatientIds.Contains(s[IndexTags.RegionalPatientId])).ToList();
            IEnumerable<IReadOnlyDictionary<uint, string>> rows = query.Level == QueryLevel.Patient
                ? admitted.GroupBy(s => s[IndexTags.RegionalPatientId]).Select(g => new Dictionary<uint, string>
                {
                    [IndexTags.PatientId] = g.Key,
                    [IndexTags.RegionalPatientId] = g.Key,
                    [IndexTags.NumberOfPatientRelatedStudies] = g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture),
                })
                : admitted;
            return Task.FromResult<IReadOnlyList<IReadOnlyDictionary<uint, string>>>(rows.Skip(query.Offset).Take(query.Limit).ToList());
        }

        public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task UpsertInstanceAsync(IndexedInstance instance, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task UpsertInstancesAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<long> CountAsync(IndexQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IndexedStudy?> GetStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
