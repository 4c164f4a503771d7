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
