from socket import *

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))
print("The server is ready to receive", flush=True)

while True:
    message, clientAddress = serverSocket.recvfrom(65535)
    message.upper()  # capitalize the sentence
    serverSocket.sendto(message, clientAddress)
