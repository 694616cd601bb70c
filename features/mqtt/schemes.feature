# All ten connection schemes of AT+MQTTUSERCFG, each a real connection to the
# hosted broker.
# Sources: ESP-AT MQTT spec, AT+MQTTUSERCFG <scheme> 1..10 and <path>;
# ESP-AT reference §2.7 (scheme → transport: 1 mqtt://, 2-5 mqtts://,
# 6 ws://host:port/path, 7-10 wss://; 2/7 no verification, 3/8 verify the
# server with mqtt_ca, 4/9 present mqtt_cert/mqtt_key, 5/10 both) and §2.1
# (+MQTTCONNECTED prints the path). The listener names are the harness's:
# tcp, tls (server certificate only), mtls (client certificate required),
# ws, wss, mwss. The port is quoted in +MQTTCONNECTED as ESP-AT prints it
# (reference §2.1); W800 scheme coverage: w800/conn.feature.
@schemes @esp32
Feature: Every scheme connects, publishes, subscribes, receives and cleans

  Background:
    Given the device has been reset

  Scenario Outline: scheme <scheme> over <listener>
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,<scheme>,"scheme-<scheme>","","",0,0,"<path>"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme<scheme>},0
      """
    Then the device reports +MQTTCONNECTED:0,<scheme>,"{broker.host}","{port.scheme<scheme>}","<path>",0
    And the broker saw the connection of "scheme-<scheme>" arrive with:
      | listener           | <listener> |
      | tls                | <tls>      |
      | client certificate | <cert>     |
      | websocket path     | <ws path>  |
    When I send AT+MQTTPUB=0,"schemes/<scheme>/out","over <listener>",1,0
    Then the device answers OK
    And the broker received "over <listener>" on "schemes/<scheme>/out" with QoS 1, not retained
    When I send AT+MQTTSUB=0,"schemes/<scheme>/in",1
    Then the device answers OK
    When the broker publishes "to <scheme>" on "schemes/<scheme>/in" with QoS 1
    Then the device reports +MQTTSUBRECV:0,"schemes/<scheme>/in",<length>,to <scheme>
    When I send AT+MQTTCLEAN=0
    Then the device answers OK
    And the broker received a DISCONNECT from "scheme-<scheme>"

    Examples:
      | scheme | listener | path  | tls | cert                | ws path | length |
      | 2      | tls      |       | yes | (none)              | (none)  | 4      |
      | 3      | tls      |       | yes | (none)              | (none)  | 4      |
      | 4      | mtls     |       | yes | CN=atconform-device | (none)  | 4      |
      | 5      | mtls     |       | yes | CN=atconform-device | (none)  | 4      |
      | 7      | wss      | /mqtt | yes | (none)              | /mqtt   | 4      |
      | 8      | wss      | /mqtt | yes | (none)              | /mqtt   | 4      |
      | 9      | mwss     | /mqtt | yes | CN=atconform-device | /mqtt   | 4      |
      | 10     | mwss     | /mqtt | yes | CN=atconform-device | /mqtt   | 5      |

    # ESP8266: only schemes 1 and 6 (scheme_support.feature).
    @esp8266
    Examples:
      | scheme | listener | path  | tls | cert                | ws path | length |
      | 1      | tcp      |       | no  | (none)              | (none)  | 4      |
      | 6      | ws       | /mqtt | no  | (none)              | /mqtt   | 4      |
