namespace Mirc.Bench.Data;

/// <summary>One DICOM instance held in memory as a Part 10 file, so the benchmark measures the server, not our disk.</summary>
/// <param name="SeriesUid">Series Instance UID.</param>
/// <param name="SopClassUid">SOP Class UID.</param>
/// <param name="SopInstanceUid">SOP Instance UID.</param>
/// <param name="TransferSyntaxUid">Transfer syntax of the data set.</param>
/// <param name="Frames">Number of frames (1 for single-frame images).</param>
/// <param name="Part10">The whole file: preamble, meta group, data set.</param>
/// <param name="DatasetOffset">Where the data set starts in <paramref name="Part10"/> (after the meta group).</param>
public sealed record BenchInstance(
    string SeriesUid,
    string SopClassUid,
    string SopInstanceUid,
    string TransferSyntaxUid,
    int Frames,
    ReadOnlyMemory<byte> Part10,
    int DatasetOffset)
{
    /// <summary>The data set without preamble and meta group, as sent in a C-STORE.</summary>
    public ReadOnlyMemory<byte> Dataset => Part10[DatasetOffset..];
}
