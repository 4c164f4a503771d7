using Mirc.Dicom.Network.Upper;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// A stored instance made ready for its C-STORE ahead of time: presentation context chosen, file opened and its File
/// Meta skipped (or, on the rare re-encoding path, the dataset re-encoded in memory); once it is next in line, its data
/// set read into its PDUs too (<see cref="FrameAsync"/>). Owns the open file and the framed data set.
/// </summary>
internal sealed class PreparedInstance : IAsyncDisposable
{
    private readonly Stream? _file;
    private readonly Lock _gate = new();
    private Task<FramedDataSet?>? _framing;
    private bool _disposed;

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

    /// <summary>
    /// Reads the data set into its PDUs for <paramref name="channel"/> (the association it is sent on), once: the first
    /// call starts the read — the retrieve loop makes it while the instance before this one is still being answered —
    /// and later calls share it. Null when the data set is streamed instead (<see cref="DataSet"/>), is refused, or this
    /// instance is already disposed.
    /// </summary>
    public Task<FramedDataSet?> FrameAsync(DimseChannel channel, CancellationToken ct)
    {
        lock (_gate)
        {
            if (Refusal is not null || _disposed)
            {
                return Task.FromResult<FramedDataSet?>(null);
            }

            return _framing ??= channel.FrameAsync(Context!.Id, DataSet!, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<FramedDataSet?>? framing;
        lock (_gate)
        {
            _disposed = true;
            framing = _framing;
        }

        if (framing is not null)
        {
            // The read may still run (the send failed or was cancelled): its buffer goes back once it ends.
            await ((Task)framing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (framing.IsCompletedSuccessfully) framing.Result?.Dispose();
        }

        if (DataSet is not null && !ReferenceEquals(DataSet, _file)) await DataSet.DisposeAsync().ConfigureAwait(false);
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
    }
}
