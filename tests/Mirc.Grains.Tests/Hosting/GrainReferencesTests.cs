using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.Hosting;

/// <summary><see cref="GrainReferences.Reference{T}"/> gives the same grain as Orleans' <c>GetGrain&lt;T&gt;(key)</c>, per interface.</summary>
public sealed class GrainReferencesTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    [Fact]
    public async Task A_reference_by_key_is_Orleans_own_reference_for_each_interface_and_reaches_the_same_activation()
    {
        var grains = archive.Grains;
        foreach (var key in new[] { "1.2.3", "1.2.3.4", "É-ü 漢字" })
        {
            var study = grains.Reference<IStudyGrain>(key);
            var orleans = grains.GetGrain<IStudyGrain>(key);
            Assert.Equal(orleans, study);
            Assert.Equal(orleans.GetGrainId(), study.GetGrainId());
        }

        // Keys Orleans refuses are refused alike.
        Assert.Throws<ArgumentException>(() => grains.GetGrain<IStudyGrain>(" "));
        Assert.Throws<ArgumentException>(() => grains.Reference<IStudyGrain>(" "));
        Assert.ThrowsAny<ArgumentException>(() => grains.Reference<IStudyGrain>(null!));

        // A second interface gets its own types, not the first one's.
        var patient = grains.Reference<IPatientGrain>("1.2.3");
        Assert.Equal(grains.GetGrain<IPatientGrain>("1.2.3").GetGrainId(), patient.GetGrainId());
        Assert.NotEqual(grains.Reference<IStudyGrain>("1.2.3").GetGrainId(), patient.GetGrainId());

        // Calls through either reach one activation: a study is empty through both, and answers with its own key.
        var summary = await grains.Reference<IStudyGrain>("2.25.99").GetSummaryAsync();
        Assert.Equal("2.25.99", summary.StudyInstanceUid);
        Assert.Equal(StudyStatus.Empty, (await grains.GetGrain<IStudyGrain>("2.25.99").GetSummaryAsync()).Status);
    }
}
