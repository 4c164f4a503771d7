using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Grains.Tests.Security;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Verifies_only_the_right_password_with_a_random_salt()
    {
        var first = PasswordHasher.Hash("correct horse battery", PasswordHasher.MinimumIterations);
        var second = PasswordHasher.Hash("correct horse battery", PasswordHasher.MinimumIterations);

        Assert.StartsWith("pbkdf2-sha256$210000$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.True(PasswordHasher.Verify("correct horse battery", first));
        Assert.False(PasswordHasher.Verify("correct horse batterY", first));
        Assert.False(PasswordHasher.Verify("correct horse battery", "garbage"));
        Assert.DoesNotContain("correct", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_weak_iteration_counts_and_flags_old_hashes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHasher.Hash("x", 1000));
        var hash = PasswordHasher.Hash("long enough password", PasswordHasher.MinimumIterations);
        Assert.False(PasswordHasher.NeedsRehash(hash, PasswordHasher.MinimumIterations));
        Assert.True(PasswordHasher.NeedsRehash(hash, 600_000));
    }

    [Theory]
    [InlineData("short", false)]
    [InlineData("aaaaaaaaaaaaaaaa", false)]
    [InlineData("alice-is-my-password", false)]
    [InlineData("Tr0ub4dor&3-horse", true)]
    public void Policy(string password, bool acceptable) => Assert.Equal(acceptable, PasswordPolicy.IsAcceptable(password, "alice"));
}
