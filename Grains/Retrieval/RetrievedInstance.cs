using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Retrieval;

/// <summary>
/// One instance opened for reading: its manifest entry and a stream of the stored Part 10 file.
/// The consumer reads <see cref="Content"/> and disposes the item (which disposes the stream).
/// </summary>
public sealed class RetrievedInstance : IAsyncDisposable
{
    /// <summary>Creates the item.</summary>
    public RetrievedInstance(InstanceEntry instance, Stream content)
    {
        Instance = instance;
        Content = content;
    }

    /// <summary>Manifest entry (UIDs, transfer syntax, size, frame ranges).</summary>
    public InstanceEntry Instance { get; }

    /// <summary>The Part 10 file bytes (<see cref="InstanceEntry.Size"/> bytes), starting at the preamble.</summary>
    public Stream Content { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
