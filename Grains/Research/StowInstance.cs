namespace Mirc.Grains.Research;

/// <summary>One instance of a STOW-RS request: its (pseudonymized) SOP Instance UID and its Part 10 bytes.</summary>
public sealed record StowInstance(string SopInstanceUid, byte[] File);
