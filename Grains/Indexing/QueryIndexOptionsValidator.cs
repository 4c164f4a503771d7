using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Indexing;

/// <summary>Start-up checks of <see cref="QueryIndexOptions"/> that attributes cannot express.</summary>
internal sealed class QueryIndexOptionsValidator : IValidateOptions<QueryIndexOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryIndexOptions options)
    {
        // Attribute checks ([Range], [RegularExpression]) first, without the Options.DataAnnotations package.
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            return ValidateOptionsResult.Fail(errors.Select(e => $"QueryIndexOptions: {e.ErrorMessage}"));
        }

        if (options.PostgresAuthentication == PostgresAuthentication.EntraId)
        {
            if (options.Provider != QueryIndexProvider.Postgres)
            {
                return ValidateOptionsResult.Fail("Mirc:Index:PostgresAuthentication=EntraId needs Mirc:Index:Provider=Postgres.");
            }

            var connection = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString ?? string.Empty);
            if (!string.IsNullOrEmpty(connection.Password))
            {
                return ValidateOptionsResult.Fail(
                    "Mirc:Index:ConnectionString must not carry a Password with Mirc:Index:PostgresAuthentication=EntraId (the Entra ID token is the password).");
            }

            if (string.IsNullOrWhiteSpace(connection.Username))
            {
                return ValidateOptionsResult.Fail(
                    "Mirc:Index:ConnectionString needs Username = the Entra principal's name in PostgreSQL (e.g. the managed identity's name) with Mirc:Index:PostgresAuthentication=EntraId.");
            }
        }
        else if (!Enum.IsDefined(options.PostgresAuthentication))
        {
            return ValidateOptionsResult.Fail($"Mirc:Index:PostgresAuthentication '{options.PostgresAuthentication}' is not supported (Password, EntraId).");
        }

        return options.Provider switch
        {
            QueryIndexProvider.Sqlite when string.IsNullOrWhiteSpace(options.SqlitePath) =>
                ValidateOptionsResult.Fail("Mirc:Index:SqlitePath is required for the Sqlite index."),
            QueryIndexProvider.Postgres when string.IsNullOrWhiteSpace(options.ConnectionString) =>
                ValidateOptionsResult.Fail("Mirc:Index:ConnectionString is required for the Postgres index."),
            QueryIndexProvider.Sqlite or QueryIndexProvider.Postgres => ValidateOptionsResult.Success,
            _ => ValidateOptionsResult.Fail($"Mirc:Index:Provider '{options.Provider}' is not supported (Sqlite, Postgres)."),
        };
    }
}
