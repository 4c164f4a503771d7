using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary><c>Mirc:Auth</c> is validated when the host starts (ValidateOnStart): bad settings fail fast.</summary>
public sealed class AuthOptionsValidationTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = Settings.Of(settings);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMircAuthentication(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Defaults_are_valid_and_key_file_goes_under_the_data_folder()
    {
        using var provider = Build(("Mirc:DataPath", "/var/lib/mirc"));
        var options = provider.GetRequiredService<IOptions<MircAuthOptions>>().Value;
        Assert.Equal(Path.Combine("/var/lib/mirc", "security", "signing-keys.json"), options.KeyPath);
        Assert.Equal(5, provider.GetRequiredService<IOptions<LocalAccountOptions>>().Value.Lockout.MaxFailedAttempts);
    }

    [Theory]
    [InlineData("Mirc:Auth:Issuer", "")]
    [InlineData("Mirc:Auth:Audience", "")]
    [InlineData("Mirc:Auth:TokenLifetime", "2.00:00:00")]
    [InlineData("Mirc:Auth:Authority", "http://idp.example/realms/x")]
    [InlineData("Mirc:Auth:Authority", "not a url")]
    public void Invalid_auth_settings_are_rejected(string key, string value)
    {
        using var provider = Build((key, value));
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MircAuthOptions>>().Value);
    }

    [Theory]
    [InlineData("Mirc:Auth:PasswordIterations", "100000")]
    [InlineData("Mirc:Auth:Lockout:MaxFailedAttempts", "0")]
    [InlineData("Mirc:Auth:Lockout:Duration", "00:00:00")]
    public void Invalid_account_settings_are_rejected(string key, string value)
    {
        using var provider = Build((key, value));
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LocalAccountOptions>>().Value);
    }
}
