using Microsoft.Extensions.Options;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Research;

/// <summary>
/// Where exported files go: container <c>{prefix}-research</c> (a folder <c>&lt;DataPath&gt;/blobs/mirc-research</c> when
/// embedded, a blob container in Azure), names <c>{project}/{export}/{study}/{series}/{instance}.dcm</c> with the
/// pseudonymized UIDs. The research team is given this container (or prefix), nothing else.
/// </summary>
public sealed class ResearchOutput
{
    /// <summary>Creates the layout.</summary>
    public ResearchOutput(IOptions<BlobStorageOptions> storage) => Container = storage.Value.ContainerPrefix + "-research";

    /// <summary>The output container.</summary>
    public string Container { get; }

    /// <summary>Name prefix of one export's files.</summary>
    public static string PrefixOf(string projectId, string exportId) => $"{projectId}/{exportId}/";

    /// <summary>Key of one exported file.</summary>
    public BlobKey KeyOf(string projectId, string exportId, string studyUid, string seriesUid, string sopUid) =>
        new(Container, $"{PrefixOf(projectId, exportId)}{studyUid}/{seriesUid}/{sopUid}.dcm");
}
