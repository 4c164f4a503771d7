namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// A stored instance made ready for its C-STORE ahead of time: presentation context chosen, file opened and its File
/// Meta skipped (or, on the rare re-encoding path, the dataset re-encoded in memory). Owns the open file.
/// </summary>
internal sealed class PreparedInstance : IAsyncDisposable
{
    private readonly Stream? _file;

    private PreparedInstance(DicomInstanceSource source, NegotiatedPresentationContext? context, Stream? file, Stream? dataSet, DimseResult? refusal)
    {
        Source = source;
        Context = context;
        _file = file;
        DataSet = dataSet;
        Refusal = refusal;
    }

    public DicomInstanceSource Source { get; }

    /// <summary>Accepted context to send on; null when <see cref="Refusal"/> is set.</summary>
    public NegotiatedPresentationContext? Context { get; }

    /// <summary>The dataset, positioned on its first byte.</summary>
    public Stream? DataSet { get; }

    /// <summary>Local outcome when the instance cannot be offered to the peer at all (no context).</summary>
    public DimseResult? Refusal { get; }

    public static PreparedInstance Refused(DicomInstanceSource source, DimseResult refusal) => new(source, null, null, null, refusal);

    public static PreparedInstance Ready(DicomInstanceSource source, NegotiatedPresentationContext context, Stream file, Stream dataSet) =>
        new(source, context, file, dataSet, null);

    public async ValueTask DisposeAsync()
    {
        if (DataSet is not null && !ReferenceEquals(DataSet, _file)) await DataSet.DisposeAsync().ConfigureAwait(false);
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
    }
}
