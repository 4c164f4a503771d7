using Microsoft.Extensions.Configuration;

namespace Mirc.Api.Tests;

/// <summary>Configuration written as key/value pairs, as the options and start-up tests give their settings.</summary>
internal static class Settings
{
    public static IConfiguration Of(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
