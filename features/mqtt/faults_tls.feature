# The ESP-AT MQTT error codes of the TLS set-up that no input on the serial
# line can cause, raised through the virtual firmware's fault-injection
# control channel: 0x6009 TLS_CONFIG_ERROR and the certificate partitions,
# 0x6021-0x6026. Moved out of faults.feature, whose header gives the sources
# and the decisions these scenarios follow, because they need a TLS scheme:
# the ESP8266 accepts only schemes 1 and 6 (the ESP8266 build of the ESP-AT
# MQTT doc, AT+MQTTUSERCFG; scheme_support.feature), and W800 prints no
# ERR CODE lines, so they run on the ESP32 only.
@virtual_only @esp32 @faults
Feature: Internal failures of the TLS set-up report their own error codes

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: connecting over TLS

    Scenario: 0x6009 TLS_CONFIG_ERROR: CONN over TLS cannot build its TLS configuration
      Given I have sent AT+MQTTUSERCFG=0,2,"fault-tls","","",0,0,""
      And the virtual firmware injects the fault "tls_config"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      Then the device answers:
        """
        ERR CODE:0x010a6009
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,2,"{broker.host}","{port.scheme2}","",0

    Scenario: the TLS fault waits for a TLS connect: a plain connect leaves it armed
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-tls-wait","","",0,0,""
      And the virtual firmware injects the fault "tls_config"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0
      When I send AT+MQTTCLEAN=0
      Then the device answers OK
      When I send AT+MQTTUSERCFG=0,2,"fault-tls-wait","","",0,0,""
      Then the device answers OK
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      Then the device answers:
        """
        ERR CODE:0x010a6009
        ERROR
        """

  Rule: certificate partitions

    Scenario: 0x6021 CA_LENGTH_ERROR: the mqtt_ca partition reads as empty
      Given I have sent AT+MQTTUSERCFG=0,3,"fault-ca-empty","","",0,0,""
      And the virtual firmware injects the fault "ca_empty"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers:
        """
        ERR CODE:0x010a6021
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,3,"{broker.host}","{port.scheme3}","",0

    Scenario: 0x6022 CA_READ_FAILED: the mqtt_ca partition holds no readable certificate
      Given I have sent AT+MQTTUSERCFG=0,3,"fault-ca-bad","","",0,0,""
      And the virtual firmware injects the fault "ca_unreadable"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers:
        """
        ERR CODE:0x010a6022
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,3,"{broker.host}","{port.scheme3}","",0

    Scenario: 0x6023 CERT_LENGTH_ERROR: the mqtt_cert partition reads as empty
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-cert-empty","","",0,0,""
      And the virtual firmware injects the fault "cert_empty"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6023
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

    Scenario: 0x6024 CERT_READ_FAILED: the mqtt_cert partition holds no readable certificate
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-cert-bad","","",0,0,""
      And the virtual firmware injects the fault "cert_unreadable"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6024
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

    Scenario: 0x6025 KEY_LENGTH_ERROR: the mqtt_key partition reads as empty
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-key-empty","","",0,0,""
      And the virtual firmware injects the fault "key_empty"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6025
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

    Scenario: 0x6026 KEY_READ_FAILED: the mqtt_key partition holds no readable key
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-key-bad","","",0,0,""
      And the virtual firmware injects the fault "key_unreadable"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6026
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0
