using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Storage.Blobs;
using Orleans.Serialization;
using Xunit;

namespace Mirc.Grains.Tests.Serialization;

/// <summary>
/// Any exception thrown inside a grain travels back to its caller, possibly on another silo: every exception type of
/// ours must cross with its type, message and data intact (a <c>BlobConcurrencyException</c> once could not —
/// <c>CodecNotFoundException</c> — and the audit writer's retry loop died on it).
/// </summary>
public sealed class ExceptionSerializationTests
{
    private static readonly Assembly[] Ours = [typeof(BlobKey).Assembly, typeof(MircRoles).Assembly, typeof(DicomTag).Assembly];

    public static TheoryData<string> ExceptionTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in Ours.SelectMany(a => a.GetTypes()).Where(t => typeof(Exception).IsAssignableFrom(t) && !t.IsAbstract && t.IsPublic))
            data.Add(type.AssemblyQualifiedName!);
        return data;
    }

    [Fact]
    public void Every_assembly_of_ours_is_searched()
    {
        Assert.True(ExceptionTypes().Count >= 7, "the exception types of Mirc.Grains and Mirc.Dicom are enumerated");
    }

    [Theory]
    [MemberData(nameof(ExceptionTypes))]
    public void Crosses_a_silo_boundary_with_its_type_and_message(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        var original = Instantiate(type);
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

        // Grain responses carry exceptions as object.
        var copy = serializer.Deserialize<object>(serializer.SerializeToArray<object>(original));

        var exception = Assert.IsAssignableFrom<Exception>(copy);
        Assert.Equal(type, exception.GetType());
        Assert.Equal(original.Message, exception.Message);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            Assert.Equal(Describe(property.GetValue(original)), Describe(property.GetValue(exception)));
    }

    private static string? Describe(object? value) => value switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        _ => value?.ToString(),
    };

    /// <summary>An instance built through its widest public constructor with representative arguments.</summary>
    private static Exception Instantiate(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => Sample(p.ParameterType)).ToArray();
        return (Exception)constructor.Invoke(arguments);
    }

    private static object? Sample(Type type) =>
        type == typeof(string) ? "a reason the caller must see"
        : type == typeof(ushort) ? (ushort)0xA700
        : type == typeof(int) ? 42
        : type == typeof(long) ? 4242L
        : type == typeof(BlobKey) ? new BlobKey("mirc-instances-03", "1.2/3.4/5.6.dcm")
        : type == typeof(BlobETag) || type == typeof(BlobETag?) ? new BlobETag("\"0x8DC\"")
        : type == typeof(Exception) ? null
        : type.IsValueType ? RuntimeHelpers.GetUninitializedObject(type)
        : null;
}
