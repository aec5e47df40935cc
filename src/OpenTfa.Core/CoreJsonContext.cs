using System.Text.Json.Serialization;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Core;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(MessageContent))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(OpenTfa.Core.Protection.ProtectionPolicy))]
[JsonSerializable(typeof(OpenTfa.Core.Tenancy.TenantSenders))]
[JsonSerializable(typeof(OpenTfa.Core.Twilio.TwilioServiceSettings))]
[JsonSerializable(typeof(OpenTfa.Core.Workflows.Workflow))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;
