using Mirc.Grains.Studies;

namespace Mirc.Grains.Tests.Archive;

/// <summary>An <see cref="IErasureStepListener"/> that fails the erasure right after a chosen step is persisted, once.</summary>
public sealed class ErasureTrap : IErasureStepListener
{
    private ErasureStep? _stopAfter;

    /// <summary>The next erasure reaching <paramref name="step"/> stops there (as a crash would).</summary>
    public void Arm(ErasureStep step) => _stopAfter = step;

    public Task OnStepPersistedAsync(string studyInstanceUid, ErasureStep reached)
    {
        if (_stopAfter == reached)
        {
            _stopAfter = null;
            throw new InvalidOperationException($"Erasure of {studyInstanceUid} stopped by the test after step {reached}.");
        }

        return Task.CompletedTask;
    }
}
