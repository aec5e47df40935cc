using System.Text.Json.Serialization;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Core;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessageContent))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;
