namespace Mirc.Grains.Ingest;

/// <summary>What the ingest stream contains.</summary>
public enum IngestPayload
{
    /// <summary>A complete Part 10 file (preamble, DICM, File Meta, dataset), as in STOW-RS.</summary>
    Part10File = 0,

    /// <summary>
    /// A bare dataset in <see cref="IngestRequest.TransferSyntaxUid"/>, as received by C-STORE: the pipeline
    /// prepends a File Meta header so the stored blob is a valid Part 10 file (dataset bytes kept byte-exact).
    /// </summary>
    Dataset = 1,
}
