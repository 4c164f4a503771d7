using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Hosting;

/// <summary>Validates an options object against its data-annotation attributes ([Range], [Required], …) at start-up.</summary>
/// <typeparam name="T">Options type.</typeparam>
internal sealed class AnnotatedOptionsValidator<T> : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(r => $"{typeof(T).Name}: {r.ErrorMessage}"));
    }
}
