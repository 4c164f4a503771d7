namespace Mirc.Grains.ChangeFeed;

/// <summary>A study the feed knows of, keyed by its first event (the order the studies first arrived in).</summary>
/// <param name="StudyInstanceUid">Study Instance UID.</param>
/// <param name="FirstSequence">Sequence of the study's first event.</param>
public sealed record ChangeFeedStudy(string StudyInstanceUid, long FirstSequence);
