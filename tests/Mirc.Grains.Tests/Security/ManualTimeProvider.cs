namespace Mirc.Grains.Tests.Security;

/// <summary>A clock tests move by hand (only for <see cref="Mirc.Grains.Security.SecurityClock"/>, never for Orleans).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
