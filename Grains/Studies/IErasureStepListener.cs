namespace Mirc.Grains.Studies;

/// <summary>
/// Told each time a study's erasure has durably reached a step. Not registered in production: tests register one
/// that throws after step N to stop an erasure there, restart the silo and check that the erasure then completes.
/// </summary>
public interface IErasureStepListener
{
    /// <summary>Called once <paramref name="reached"/> is persisted for <paramref name="studyInstanceUid"/>.</summary>
    Task OnStepPersistedAsync(string studyInstanceUid, ErasureStep reached);
}
