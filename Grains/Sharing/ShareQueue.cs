using System.Threading.Channels;

namespace Mirc.Grains.Sharing;

/// <summary>In-process hand-off of share ids from the API (or start-up resume) to the <see cref="SharePushWorker"/>.</summary>
public sealed class ShareQueue
{
    private readonly Channel<string> _ids = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Asks the worker to run (or resume) <paramref name="shareId"/>.</summary>
    public void Enqueue(string shareId) => _ids.Writer.TryWrite(shareId);

    /// <summary>The ids as they arrive.</summary>
    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _ids.Reader.ReadAllAsync(cancellationToken);
}
