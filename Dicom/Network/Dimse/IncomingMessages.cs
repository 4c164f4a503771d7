namespace Mirc.Dicom.Network.Dimse;

/// <summary>A request received from the peer. C-STORE datasets are streamed; other datasets are buffered (small identifiers).</summary>
internal sealed class IncomingRequest
{
    public required DimseCommand Command { get; init; }
    public required NegotiatedPresentationContext Context { get; init; }

    /// <summary>C-STORE dataset fed from P-DATA fragments as they arrive; fails if the association breaks.</summary>
    public Stream? DataSetStream { get; init; }

    /// <summary>Buffered dataset (identifier) for non-storage requests.</summary>
    public ReadOnlyMemory<byte> DataSet { get; init; }

    /// <summary>Completes when the last dataset fragment was received (or at once without dataset); faults on abort.</summary>
    public required Task DataSetReceived { get; init; }

    /// <summary>When the command arrived (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for the operation's duration.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>A response received from the peer, with its (buffered) dataset if any.</summary>
internal sealed record IncomingResponse(DimseCommand Command, ReadOnlyMemory<byte> DataSet, byte ContextId);

/// <summary>Executes the requests a peer sends (server services, or C-STORE sub-operations received during C-GET).</summary>
internal interface IDimseRequestProcessor
{
    Task ProcessAsync(DimseChannel channel, IncomingRequest request, CancellationToken cancel);
}

/// <summary>How a message loop ended.</summary>
internal enum AssociationEnd
{
    Released,
    AbortedByPeer,
    AbortedLocally,
    ConnectionClosed,
}
