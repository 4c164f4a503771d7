using Mirc.Grains.Interfaces.Sharing;

namespace Mirc.Grains.Sharing;

/// <summary>Counts gathered between two progress reports, so the share grain is written once per batch, not per instance.</summary>
internal sealed class ProgressBatch(int total)
{
    private readonly List<string> _failed = [];
    private int _completed;

    public int Count => _completed + _failed.Count;

    /// <summary>Instances handled in this run, across batches.</summary>
    public int Handled { get; private set; }

    public void Succeeded()
    {
        _completed++;
        Handled++;
    }

    public void Failed(string sopInstanceUid)
    {
        _failed.Add(sopInstanceUid);
        Handled++;
    }

    /// <summary>The counts so far, and starts a new batch.</summary>
    public ShareProgress Take()
    {
        var progress = new ShareProgress(total, _completed, _failed.ToArray());
        _completed = 0;
        _failed.Clear();
        return progress;
    }
}
