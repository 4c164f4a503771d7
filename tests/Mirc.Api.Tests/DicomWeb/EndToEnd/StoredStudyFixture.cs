using System.Text.Json;
using Mirc.Api.Tests.Hosting;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

/// <summary>The test classes that share one <see cref="StoredStudyFixture"/> (one host for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class StoredStudyCollection : ICollectionFixture<StoredStudyFixture>
{
    public const string Name = "stored study";
}

/// <summary>One running host with a two-series study stored through STOW-RS, shared by the read-side tests.</summary>
public sealed class StoredStudyFixture : IAsyncLifetime
{
    public ApiHost Host { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    public StudyDescription Study { get; } = StudyDescription.Create();

    public IReadOnlyList<SyntheticInstance> Instances { get; private set; } = [];

    public string SeriesA { get; } = SyntheticInstance.NewUid();

    public string SeriesB { get; } = SyntheticInstance.NewUid();

    public int StowStatus { get; private set; }

    public JsonElement StowResponse { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Http = Host.CreateClient();
        Instances =
        [
            SyntheticInstance.Native(Study, SeriesA, 1, 1),
            SyntheticInstance.Native(Study, SeriesA, 1, 2),
            SyntheticInstance.Native(Study, SeriesB, 2, 1, modality: "CT", frames: 3),
            SyntheticInstance.Jpeg(Study, SeriesB, 2, 2),
        ];
        var response = await Http.StowAsync(Instances.Select(i => i.Bytes));
        StowStatus = (int)response.StatusCode;
        StowResponse = await response.ReadJsonAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }

    public SyntheticInstance Instance(string sopUid) => Instances.Single(i => i.SopUid == sopUid);
}
