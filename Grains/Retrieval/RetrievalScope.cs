namespace Mirc.Grains.Retrieval;

/// <summary>What to retrieve: a study, one of its series, or one instance.</summary>
/// <param name="StudyInstanceUid">Study Instance UID (required).</param>
/// <param name="SeriesInstanceUid">Restricts to one series, or null.</param>
/// <param name="SopInstanceUid">Restricts to one instance, or null.</param>
public sealed record RetrievalScope(string StudyInstanceUid, string? SeriesInstanceUid = null, string? SopInstanceUid = null);
