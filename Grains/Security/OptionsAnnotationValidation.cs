using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Security;

/// <summary>Data-annotation validation of options without the extra package (Grains references only Orleans).</summary>
internal static class OptionsAnnotationValidation
{
    /// <summary>Validates the annotations of <typeparamref name="T"/> (top level) when options are built.</summary>
    public static OptionsBuilder<T> ValidateAnnotations<T>(this OptionsBuilder<T> builder, string section)
        where T : class =>
        builder.Validate(
            o => Validator.TryValidateObject(o, new ValidationContext(o), null, validateAllProperties: true),
            $"{section}: a setting is out of range or missing");
}
